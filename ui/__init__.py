"""PySide6 front end over ``desktop_app``. Nothing in ``desktop_app`` imports this package."""
