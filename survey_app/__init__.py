"""The web application, storage and command line of the survey system."""

__version__ = "0.1.0"   # the package version (pyproject.toml reads it from here)
