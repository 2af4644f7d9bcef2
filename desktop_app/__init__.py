"""Teishi domain and services: forms, validation, storage, exchange files, CLI.

Nothing in this package imports Qt; it runs and is tested without a display.
"""
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("teishi")
except _metadata.PackageNotFoundError:  # running from a frozen bundle or a bare checkout
    __version__ = "0.1.0"

APP_NAME = "Teishi"
APP_AUTHOR = "Teishi"
