"""The exception and the warning of the data layer."""

from __future__ import annotations

__all__ = ["DataError", "DataWarning"]


class DataError(ValueError):
    """Bad or unusable input data; the message names the fix."""


class DataWarning(UserWarning):
    """Data that load but look wrong (suspicious jumps, intraday timestamps); see ``suspicious``."""
