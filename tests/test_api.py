"""The package's shape: every public module declares its API, and no module grows into a monolith."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import lstmgru

#: The project's rule for module size (lines); a module above it should be split by concept.
MAX_MODULE_LINES = 600
MODULES = [
    m.name
    for m in pkgutil.walk_packages(lstmgru.__path__, "lstmgru.")
    if m.name != "lstmgru.__main__"
]


@pytest.mark.parametrize("name", MODULES)
def test_every_name_in_all_exists(name) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    defined = [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_") and callable(obj) and getattr(obj, "__module__", None) == name
    ]
    if exported is None:  # allowed only for modules of private helpers
        assert not defined, f"{name} defines {defined} but has no __all__"
        return
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"


def test_no_module_exceeds_the_size_rule() -> None:
    root = Path(lstmgru.__file__).parent
    sizes = {
        p.relative_to(root).as_posix(): len(p.read_text().splitlines()) for p in root.rglob("*.py")
    }
    too_long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"split these modules by concept: {too_long}"
