# The README's two commands: `make demo` (the main job) and `make test` (the whole suite).
# Both create .venv with what they need; Graphviz's `dot` comes from apt-get where it can.

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip -q --disable-pip-version-check
DOT_HINT := Graphviz's dot program is missing: install it with 'sudo apt-get install graphviz' (or 'brew install graphviz')
CHROMIUM_HINT := the browser tests need Debian's Chromium at /usr/bin/chromium: install it with 'sudo apt-get install chromium'

.PHONY: demo test lint dot dot-if-possible chromium install-dot install-chromium apt-install clean notebooks vendor vendor-katex pictures

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

# Graphviz for the browser, where `dot` is missing: @viz-js/viz's standalone build (the
# WebAssembly embedded, defining a global `Viz`), kept as one file in the package with its
# licences and version. Nothing is fetched at run time; `make vendor` refreshes it from npm.
# The package ships no licence file, so LICENSE is assembled from its banner and the
# licence texts of spdx-license-list: MIT (Viz.js, Expat) and EPL-1.0 (Graphviz).
VIZ_VERSION := 3.31.0
SPDX_VERSION := 6.12.0
VENDOR := autograd/draw/vendor

vendor: vendor-katex
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack -q @viz-js/viz@$(VIZ_VERSION) spdx-license-list@$(SPDX_VERSION) >/dev/null); \
	mkdir "$$tmp/viz" "$$tmp/spdx"; \
	tar xzf "$$tmp/viz-js-viz-$(VIZ_VERSION).tgz" -C "$$tmp/viz"; \
	tar xzf "$$tmp/spdx-license-list-$(SPDX_VERSION).tgz" -C "$$tmp/spdx"; \
	pkg="$$tmp/viz/package"; js="$$pkg/dist/viz-global.js"; \
	licence() { node -p "require('$$tmp/spdx/package/licenses/$$1.json').licenseText"; }; \
	origin() { node -p "require('$$pkg/lib/provenance.json').predicate.buildDefinition \
	  .resolvedDependencies.map(d => d.uri).filter(u => u.includes('$$1')).join(' ')"; }; \
	holder=$$(sed -n '1,/\*\//s/^Copyright (c) //p' "$$js" | head -n 1); \
	mkdir -p $(VENDOR); cp "$$js" $(VENDOR)/viz-standalone.js; \
	{ echo "viz-standalone.js is dist/viz-global.js of the npm package @viz-js/viz $(VIZ_VERSION)"; \
	  echo "(licence: $$(node -p "require('$$pkg/package.json').license")). Its notice:"; echo; \
	  sed -n '1,/\*\//p' "$$js"; \
	  for f in "$$pkg"/LICEN[CS]E* "$$pkg"/COPYING*; do [ -f "$$f" ] && cat "$$f"; done; \
	  echo; echo "==== Viz.js: MIT License ===="; echo; \
	  licence MIT | sed "s/<year> <copyright holders>/$$holder/"; \
	  echo; echo "==== Graphviz: Eclipse Public License 1.0; source: $$(origin graphviz) ===="; echo; \
	  licence EPL-1.0; \
	  echo; echo "==== Expat: MIT License; source: $$(origin expat) ===="; echo; \
	  licence MIT | sed "s/<year> <copyright holders>/1998-2000 Thai Open Source Software Center Ltd and Clark Cooper; Expat maintainers/"; \
	} > $(VENDOR)/LICENSE; \
	printf '@viz-js/viz %s\nsha256 %s\n' $(VIZ_VERSION) \
	  "$$(sha256sum $(VENDOR)/viz-standalone.js | cut -d' ' -f1)" > $(VENDOR)/VERSION; \
	cat $(VENDOR)/VERSION

# KaTeX for pages that typeset math (slides, exercise sheets): one file, katex.js, that is
# dist/katex.min.js (run with any module loader hidden, so that it defines the global `katex`)
# followed by a script adding dist/katex.min.css to the page once, its woff2 fonts inlined
# as data: URIs, so that a page needs no request. LICENSE is the package's own (MIT).
KATEX_VERSION := 0.16.47
KATEX_VENDOR := autograd/teaching/vendor

# node: argv dist-folder out-file version; fails if any font is left to fetch.
define KATEX_BUNDLE
const fs = require("fs"), path = require("path");
const [dist, out, version] = process.argv.slice(1);
const font = (name) => fs.readFileSync(path.join(dist, "fonts", name + ".woff2")).toString("base64");
const css = fs.readFileSync(path.join(dist, "katex.min.css"), "utf8").replace(
  /src:url\(fonts\/([\w-]+)\.woff2\)[^;}]*/g,
  (all, name) => "src:url(data:font/woff2;base64," + font(name) + ") format(\"woff2\")");
if (/url\((?!data:)/.test(css)) throw new Error("katex.min.css: a url() was not inlined");
const js = fs.readFileSync(path.join(dist, "katex.min.js"), "utf8");
fs.writeFileSync(out, [
  "/*! katex.js: KaTeX " + version + " (https://katex.org; MIT licence, see LICENSE):",
  " * dist/katex.min.js, then dist/katex.min.css with its woff2 fonts inlined. */",
  "(function (define, exports, module) {", js, "})();",
  "(function () {",
  "  if (typeof document === \"undefined\" || document.getElementById(\"katex-inlined-css\")) return;",
  "  var style = document.createElement(\"style\");",
  "  style.id = \"katex-inlined-css\";",
  "  style.textContent = " + JSON.stringify(css) + ";",
  "  (document.head || document.documentElement).appendChild(style);",
  "})();", ""].join("\n"));
endef
export KATEX_BUNDLE

vendor-katex:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack -q katex@$(KATEX_VERSION) >/dev/null); \
	tar xzf "$$tmp/katex-$(KATEX_VERSION).tgz" -C "$$tmp"; \
	pkg="$$tmp/package"; \
	mkdir -p $(KATEX_VENDOR); \
	node -e "$$KATEX_BUNDLE" "$$pkg/dist" $(KATEX_VENDOR)/katex.js $(KATEX_VERSION); \
	{ echo "katex.js holds dist/katex.min.js and dist/katex.min.css (its fonts: dist/fonts/*.woff2)"; \
	  echo "of the npm package katex $(KATEX_VERSION) (licence: $$(node -p "require('$$pkg/package.json').license")). Its licence:"; \
	  echo; cat "$$pkg/LICENSE"; \
	} > $(KATEX_VENDOR)/LICENSE; \
	printf 'katex %s\nsha256 %s\n' $(KATEX_VERSION) \
	  "$$(sha256sum $(KATEX_VENDOR)/katex.js | cut -d' ' -f1)" > $(KATEX_VENDOR)/VERSION; \
	cat $(KATEX_VENDOR)/VERSION

# Redraw the README's pictures: the student network's SVG, PNGs of its player and of an exercise key (Chromium).
pictures: $(VENV)/test.stamp dot chromium
	$(PY) tests/pictures.py
