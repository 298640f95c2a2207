"""Command-line entry point: thin, it parses arguments, calls the layers, renders.

Commands live one per module and attach themselves to :data:`.app.app`
(:mod:`.all` imports them); :func:`.entrypoint.main` runs them.
"""

from seawall.cli.entrypoint import main

__all__ = ["main"]
