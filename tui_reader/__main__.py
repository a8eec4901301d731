"""Allow `python -m tui_reader`.

Imports the CLI only.
"""

from tui_reader.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
