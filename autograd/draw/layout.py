"""Running Graphviz's ``dot``: always within a time limit, its failures in the project's words.

Every drawing is laid out by `run_dot`, which `autograd.draw.style.Drawing.pipe` calls:

- ``dot`` may take `DOT_TIMEOUT` seconds (10) unless told otherwise: ``draw(y, timeout=30)``,
  ``drawing.pipe(format="svg", timeout=30)``, ``Drawing.timeout = 30`` for every drawing of
  a session, or the environment variable ``BACKPROP_LAB_DOT_TIMEOUT=30`` (also read by the
  command line). A layout that takes longer is stopped, and `DotTimeout` says which limit
  it hit and the ways out: a smaller graph, ``collapse=True``, ``view="neurons"``, or more
  time;
- any other failure of ``dot`` is a `DotError` quoting the first error line ``dot`` wrote
  (shortened); a missing ``dot`` is a `DotMissingError` with the install command;
- on a terminal (stderr a tty), a layout still running after `PROGRESS_AFTER` seconds shows
  a tqdm bar of the time spent against the limit, so that a large graph is never silent.

Both errors are ValueErrors, as `autograd.draw.GraphTooLarge` is: the command line prints
them as one line, ``error: ...``, and exits with status 2.

>>> run_dot(["-Tplain"], b"digraph { a -> b }", timeout=10).startswith(b"graph")
True
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time

from tqdm import tqdm

INSTALL = "sudo apt-get install graphviz"

MISSING = (
    "cannot render: the Graphviz program `dot` is not installed or not on PATH. "
    f"Install it with: {INSTALL}  (macOS: brew install graphviz). "
    "The DOT text is still available as draw(...).source."
)

DOT_TIMEOUT = 10.0
"""Seconds ``dot`` may take to lay a drawing out, unless a timeout is given (`time_limit`)."""

TIMEOUT_VARIABLE = "BACKPROP_LAB_DOT_TIMEOUT"
"""The environment variable that sets the time limit when no code does."""

PROGRESS_AFTER = 2.0
"""Seconds of layout after which a terminal shows a progress bar."""

_POLL = 0.1  # seconds between two looks at a running dot, when progress may be shown
_MAX_QUOTE = 120  # characters of dot's own error message kept in ours


class DotMissingError(RuntimeError):
    """The Graphviz program ``dot`` is not installed, so the graph cannot be rendered."""


class DotError(ValueError):
    """Graphviz's ``dot`` could not lay a drawing out; the message quotes its own error."""


class DotTimeout(DotError):
    """Graphviz's ``dot`` took longer than its time limit and was stopped."""


def time_limit(given: float | None = None) -> float:
    """The time limit in seconds: ``given``, else ``$BACKPROP_LAB_DOT_TIMEOUT``, else
    `DOT_TIMEOUT`. A limit that is not a positive number is a `DotError`.

    >>> time_limit(), time_limit(2.5)
    (10.0, 2.5)
    """
    source = "timeout"
    value: object = given
    if given is None:
        value = os.environ.get(TIMEOUT_VARIABLE, "").strip() or DOT_TIMEOUT
        source = TIMEOUT_VARIABLE
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = math.nan
    if isinstance(value, bool) or not 0 < seconds < math.inf:
        raise DotError(f"{source} must be a positive number of seconds for Graphviz's dot, "
                       f"got {value!r}")
    return seconds


def way_out(nodes: int, seconds: float) -> str:
    """What `DotTimeout` says: the limit hit, then how to get a drawing.

    >>> way_out(312, 10).split(":")[0]
    "Graphviz's dot took more than the 10 s limit to lay out this drawing of 312 nodes"
    """
    wait = max(60, int(seconds * 6))
    return (f"Graphviz's dot took more than the {seconds:g} s limit to lay out this drawing "
            f"of {nodes:,} nodes: draw a smaller graph, draw(..., collapse=True) (or "
            f"view=\"neurons\" for a network), or allow more time with draw(..., "
            f"timeout={wait}) or {TIMEOUT_VARIABLE}={wait}")


def first_error(stderr: bytes) -> str:
    """The first error line ``dot`` wrote (else its first line), shortened to one line.

    >>> first_error(b"Warning: x\\nError: Edge length 76300.5 larger than maximum 65535\\n")
    'Edge length 76300.5 larger than maximum 65535'
    """
    lines = [" ".join(line.split()) for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if line.lower().startswith("error")]
    said = (errors or lines or [""])[0]
    said = said.split(":", 1)[1].strip() if said.lower().startswith("error:") else said
    return said if len(said) <= _MAX_QUOTE else said[: _MAX_QUOTE - 1] + "…"


def run_dot(args: list[str], data: bytes, *, timeout: float | None = None, nodes: int = 0,
            quiet: bool = False) -> bytes:
    """Run ``dot`` with the command-line ``args`` on the DOT text ``data``; its output.

    Raises `DotMissingError` when ``dot`` is missing, `DotTimeout` after ``timeout``
    seconds (see `time_limit`; ``nodes``, the drawing's size, is named in the message), and
    `DotError` when it fails. Unless ``quiet``, its warnings go to stderr.

    >>> try:
    ...     run_dot(["-Tnope"], b"digraph { a }")
    ... except DotError as error:
    ...     print(str(error)[:60])
    Graphviz's dot could not draw this graph: Format: "nope" not
    """
    seconds = time_limit(timeout)
    program = shutil.which("dot")
    if program is None:
        raise DotMissingError(MISSING)
    try:
        # its own process group: stopping it stops whatever it started (a wrapper script's
        # children would otherwise hold its pipes open)
        process = subprocess.Popen([program, *args], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
    except OSError as error:
        raise DotError(f"Graphviz's dot could not be run: {error}") from None
    out, err = _wait(process, data, seconds, nodes)
    if process.returncode != 0:
        said = first_error(err) or f"exit status {process.returncode}"
        raise DotError(f"Graphviz's dot could not draw this graph: {said}")
    if err and not quiet:
        sys.stderr.write(err.decode("utf-8", "replace"))
    return out


def _wait(process: subprocess.Popen[bytes], data: bytes, seconds: float, nodes: int,
          ) -> tuple[bytes, bytes]:
    # dot's output and errors; killed, and DotTimeout, once the limit has passed.
    start = time.monotonic()
    bar = None
    if sys.stderr.isatty():
        bar = tqdm(total=round(seconds, 1), desc=f"laying out {nodes:,} nodes with dot",
                   unit="s", delay=PROGRESS_AFTER, file=sys.stderr, leave=False, ncols=80,
                   bar_format="{desc}: {bar} {n:.0f}/{total:g} s")
    try:
        sent: bytes | None = data
        while True:
            left = seconds - (time.monotonic() - start)
            try:
                step = min(left, _POLL) if bar is not None else left
                return process.communicate(sent, timeout=max(step, 0.001))
            except subprocess.TimeoutExpired:
                sent = None  # the input is sent once; communicate keeps sending it
                if bar is not None:  # shown once PROGRESS_AFTER seconds have passed
                    bar.update(min(time.monotonic() - start, seconds) - bar.n)
                if time.monotonic() - start >= seconds:
                    _stop(process)
                    process.communicate()
                    raise DotTimeout(way_out(nodes, seconds)) from None
    finally:
        if bar is not None:
            bar.close()
        if process.poll() is None:  # interrupted (Ctrl-C): no dot is left running
            _stop(process)
            process.wait()


def _stop(process: subprocess.Popen[bytes]) -> None:
    # Kill dot and everything in its process group.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # already gone
        process.kill()
