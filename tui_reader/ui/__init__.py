"""The Textual app: the only part of tui-reader that imports Textual.

`app` holds the library and runs the workers, `reader_screen` owns the
keys, `widgets/` the line-API list, the article pane and the dialogs.
"""
