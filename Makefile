# The README's two commands: `make demo` (the main job) and `make test` (the whole suite).
# Both create .venv with what they need; Graphviz's `dot` comes from apt-get where it can.

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip -q --disable-pip-version-check
DOT_HINT := Graphviz's dot program is missing: install it with 'sudo apt-get install graphviz' (or 'brew install graphviz')
CHROMIUM_HINT := the browser tests need Debian's Chromium at /usr/bin/chromium: install it with 'sudo apt-get install chromium'

.PHONY: demo test lint dot dot-if-possible chromium install-dot install-chromium apt-install clean notebooks

demo: $(VENV)/demo.stamp dot-if-possible
	$(VENV)/bin/backprop-lab demo

test: $(VENV)/test.stamp dot chromium lint
	$(PY) -m pytest

lint: $(VENV)/test.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

$(PY):
	python3 -m venv $(VENV)

$(VENV)/demo.stamp: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

# torch is pinned here, before the extras, so that the CPU build is the one installed.
$(VENV)/test.stamp: pyproject.toml | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test,notebooks,torch]'
	touch $(VENV)/demo.stamp $@

dot:
	@command -v dot >/dev/null || $(MAKE) -s install-dot || { echo "$(DOT_HINT)"; exit 1; }

dot-if-possible:
	@command -v dot >/dev/null || $(MAKE) -s install-dot || echo "$(DOT_HINT); the demo runs without it"

install-dot:
	@$(MAKE) -s apt-install PACKAGES=graphviz

# The browser tests drive Debian's chromium with Playwright; no browser is ever downloaded.
chromium:
	@[ -x /usr/bin/chromium ] || $(MAKE) -s install-chromium || { echo "$(CHROMIUM_HINT)"; exit 1; }

install-chromium:
	@$(MAKE) -s apt-install PACKAGES=chromium

apt-install:
	@[ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache

# Re-execute every notebook in place, each from a fresh kernel, so that its saved outputs are current.
notebooks: $(VENV)/test.stamp dot
	$(PY) tests/run_notebooks.py notebooks/*.ipynb
