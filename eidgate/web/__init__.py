"""The web side of a login, for adapter authors (work in progress)."""
