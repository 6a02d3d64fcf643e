"""The one place eidgate's version is written (hatchling reads it for the package metadata)."""

__version__ = "0.1.0"
