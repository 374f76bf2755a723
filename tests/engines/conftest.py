"""The engines here are files for `audit` to read, not tests: pytest leaves them alone.

(Under ``--doctest-modules`` pytest would import each one; crashes.py cannot be imported.)
"""

collect_ignore_glob = ["*.py"]
