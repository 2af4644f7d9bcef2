"""Teishi domain and services: forms, validation, storage, exchange files, CLI.

Nothing in this package imports Qt; it runs and is tested without a display.
"""
APP_NAME = "Teishi"
APP_AUTHOR = "Teishi"


def __getattr__(name: str):
    # The version comes from the installed metadata (the one version is in pyproject.toml); looked up
    # only when asked, because importlib.metadata costs tens of milliseconds at every start.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("teishi")
        except metadata.PackageNotFoundError:  # a bare checkout that was never installed
            import tomllib
            from pathlib import Path

            pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
            with open(pyproject, "rb") as fh:
                return tomllib.load(fh)["project"]["version"]
    raise AttributeError(name)
