"""Where each data option is set in each interface, and the hints error messages give.

Every message that tells the user to change an option names it the way each interface spells it
(:func:`option_hint`), from one table (:data:`OPTION_INTERFACES`), so that no message names an
option that a command does not accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["OPTION_INTERFACES", "check_char_option", "option_hint"]


#: Where each data option is set, by its Python name (``load_prices`` keyword, ``DataConfig``
#: field or notebook parameter): the flag of ``python -m lstmgru data show`` and the form of
#: ``python -m lstmgru run`` (``-p NAME`` sets a parameter of 03_experiment); ``None`` where that
#: interface has none. Error messages name options through :func:`option_hint`.
OPTION_INTERFACES: Mapping[str, tuple[str | None, str | None]] = {
    "path": ("--path", "--csv-dir"),
    "start": ("--start", "--start"),
    "end": ("--end", "--end"),
    "date_column": ("--date-column", "-p date_column"),
    "close_column": ("--close-column", "-p close_column"),
    "open_column": ("--open-column", None),
    "high_column": ("--high-column", None),
    "low_column": ("--low-column", None),
    "volume_column": ("--volume-column", None),
    "date_format": ("--date-format", "-p date_format"),
    "encoding": ("--encoding", "-p encoding"),
    "sep": ("--sep", "-p sep"),
    "thousands": ("--thousands", "-p thousands"),
    "decimal": ("--decimal", "-p decimal"),
    "max_gap": ("--max-gap", "-p max_gap"),
    "suspicious": ("--suspicious", "-p suspicious"),
    "window": (None, "-p window"),
}


def option_hint(*names: str, value: str | None = None) -> str:
    """How to set options in each interface, for error messages.

    ``option_hint("date_format")`` is ``"set date_format=... (data show --date-format, run -p
    date_format)"``; several names are joined with ``/``. With ``value`` (one name only) the
    hint shows it: ``option_hint("suspicious", value="reject")`` is ``"set
    suspicious='reject' (data show --suspicious reject, run -p suspicious reject)"``.
    """
    if value is not None and len(names) != 1:
        raise ValueError("option_hint: a value needs exactly one option name")
    tail = f" {value}" if value is not None else ""
    show = [OPTION_INTERFACES[n][0] + tail for n in names if OPTION_INTERFACES[n][0]]
    run = [OPTION_INTERFACES[n][1] + tail for n in names if OPTION_INTERFACES[n][1]]
    where = ([f"data show {'/'.join(show)}"] if show else []) + (
        [f"run {'/'.join(run)}"] if run else []
    )
    shown = f"{names[0]}={value!r}" if value is not None else "/".join(f"{n}=..." for n in names)
    return f"set {shown} ({', '.join(where)})"


def check_char_option(name: str, value: Any, *, optional: bool) -> None:
    """Check a one-character option (``sep``, ``thousands``, ``decimal``); ``ValueError`` if not."""
    if optional and value is None:
        return
    if not isinstance(value, str) or len(value) != 1 or value in '\r\n"':
        allowed = "None or " if optional else ""
        raise ValueError(
            f"{name} must be {allowed}one character (not a quote or line break), got {value!r}; "
            f"{option_hint(name)}"
        )
