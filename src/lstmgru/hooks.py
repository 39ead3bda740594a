"""Pause points: places where a test can hold a running notebook kernel, decided by files.

A test that must interrupt a notebook *while it runs* cannot wait a fixed time: on a busy or
fresh machine the kernel may still be starting, or already done. Instead it sets
``LSTMGRU_PAUSE_DIR`` in the runner's environment (the kernels inherit it). When the code
reaches :func:`pause_point`, it writes ``<dir>/<name>.reached`` (holding the kernel's process
id) and waits until ``<dir>/<name>.release`` exists. The test waits for the first file, does
what it needs (Ctrl-C, kill, a second runner), and then writes the second file or lets the
kernel die. Without the variable, :func:`pause_point` returns at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["PAUSE_DIR_VARIABLE", "pause_point"]

PAUSE_DIR_VARIABLE = "LSTMGRU_PAUSE_DIR"
_POLL_S = 0.02


def pause_point(name: str) -> None:
    """Hold here while ``$LSTMGRU_PAUSE_DIR`` is set and ``<name>.release`` is absent.

    Parameters
    ----------
    name : str
        The point's name, e.g. ``experiment-KO``; part of the two file names.
    """
    folder = os.environ.get(PAUSE_DIR_VARIABLE)
    if not folder:
        return
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    reached = folder_path / f"{name}.reached"
    tmp = folder_path / f".{name}.reached.tmp"
    tmp.write_text(str(os.getpid()), encoding="utf-8")
    os.replace(tmp, reached)
    release = folder_path / f"{name}.release"
    while not release.exists():
        time.sleep(_POLL_S)
