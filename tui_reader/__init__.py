"""tui-reader: a keyboard-first terminal news reader.

Holds the name and version only; imports nothing.
"""

__version__ = "0.1.0"
APP_NAME = "tui-reader"
