"""The engine here is a file for `audit` to read, not a test: pytest leaves it alone.

(Under ``--doctest-modules`` pytest would import it; `buggy_engines` writes the others.)
"""

collect_ignore_glob = ["*.py"]
