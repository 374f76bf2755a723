"""placeholder: being written."""

import argparse


def exercise_command(args: argparse.Namespace) -> int:
    raise NotImplementedError
