"""Widgets of the reader app.

Widgets import Textual, Rich and domain values; never the app.
"""
