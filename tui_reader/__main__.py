"""Allow `python -m tui_reader`.

`--version` is answered before anything else is imported, so it works even
from a checkout whose dependencies are not installed; any other command
there gets one line saying how to install them, not a traceback. Imports
the CLI only when a command runs.
"""

import sys

from tui_reader import APP_NAME, __version__


def run(argv: list[str]) -> int:
    """Run the CLI, or say in one line why it cannot start."""
    if argv == ["--version"]:
        print(f"{APP_NAME} {__version__}")
        return 0
    try:
        from tui_reader.cli import main

        return main(argv)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("tui_reader"):
            raise  # a bug of ours, not a missing install
        print(
            f"{APP_NAME}: error: the package {(exc.name or '').split('.')[0]!r} is not installed;"
            " install tui-reader first: python3 -m venv .venv && .venv/bin/pip install .",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
