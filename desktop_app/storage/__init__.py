"""SQLite storage through sqlite-utils: the only package that touches tables.

Services above it call the repositories here; schema changes go through ``migrations``.
"""
from desktop_app.storage.database import Database, open_database

__all__ = ["Database", "open_database"]
