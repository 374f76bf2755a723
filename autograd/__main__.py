"""``python -m autograd``: the same command line as ``backprop-lab``."""

from autograd.cli import main

raise SystemExit(main())
