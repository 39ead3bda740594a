"""Result keys: what a notebook's result depends on, hashed.

A ticker's key covers its resolved configuration, its notebook parameters, the SHA-256 of its
data, the experiment notebook and the source of the code the notebooks import (configuration,
data, features, models, evaluation, experiment, plots, equations, findings, the run layout and the
table helper). The runner and the report are left out: a fix to the report's LaTeX or to the
runner's command line reruns nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lstmgru import __version__

__all__ = [
    "KEYED_ANYWAY",
    "PACKAGE_DIR",
    "UNKEYED",
    "code_digest",
    "digest",
    "file_digest",
    "keyed_sources",
    "result_key",
    "shown",
]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: Parts of the package that no notebook imports (relative to the package directory).
UNKEYED = ("runner", "report", "report.py", "cli.py", "__main__.py")
#: Exceptions inside the unkeyed parts that notebooks do import.
KEYED_ANYWAY = ("report/tables.py",)


def digest(payload: Any) -> str:
    """SHA-256 of a JSON-serialisable payload (keys sorted)."""
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(*paths: Path, root: Path | None = None) -> str:
    """SHA-256 over files' names (relative to ``root`` when given) and contents."""
    hashed = hashlib.sha256()
    for path in paths:
        name = path.relative_to(root).as_posix() if root is not None else path.name
        hashed.update(name.encode())
        if path.is_file():
            hashed.update(path.read_bytes())
    return hashed.hexdigest()


def keyed_sources(package_dir: Path | None = None) -> list[Path]:
    """The package's Python files whose change must recompute results, sorted.

    ``package_dir`` defaults to :data:`PACKAGE_DIR`, read at call time.
    """
    package_dir = PACKAGE_DIR if package_dir is None else package_dir

    def keyed(path: Path) -> bool:
        relative = path.relative_to(package_dir).as_posix()
        if relative in KEYED_ANYWAY:
            return True
        return not any(relative == u or relative.startswith(f"{u}/") for u in UNKEYED)

    return sorted(p for p in package_dir.rglob("*.py") if keyed(p))


def code_digest(package_dir: Path | None = None) -> str:
    """SHA-256 over :func:`keyed_sources` (default: of :data:`PACKAGE_DIR`)."""
    package_dir = PACKAGE_DIR if package_dir is None else package_dir
    return file_digest(*keyed_sources(package_dir), root=package_dir)


def result_key(code: str, **inputs: Any) -> str:
    """Key of a notebook's result: its inputs, the code digest and the package version."""
    return digest({**inputs, "code": code, "lstmgru": __version__})[:16]


def shown(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
