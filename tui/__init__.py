"""The terminal app (Textual) and the ``cunwu`` command line (Typer).

Only this package imports Textual, and only the app's own modules do: the headless
sub-commands in ``tui.cli`` never do.
"""
