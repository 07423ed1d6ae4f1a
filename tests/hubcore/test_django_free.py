"""hubcore is what hubctl and the hub share: it must import without Django or any hub package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hubcore

ROOT = Path(hubcore.__file__).resolve().parents[1]
FORBIDDEN = ("django", "rest_framework", "hub", "accounts", "sharing", "hubctl")

# A None in sys.modules makes every import of that name fail, however deep in hubcore it hides.
IMPORT_ALL = f"""
import importlib, pkgutil, sys
for name in {FORBIDDEN!r}:
    sys.modules[name] = None
try:
    import django
except ImportError:
    pass
else:
    raise SystemExit("django is still importable: the check would prove nothing")
import hubcore
names = sorted(m.name for m in pkgutil.walk_packages(hubcore.__path__, "hubcore."))
for name in names:
    importlib.import_module(name)
print("\\n".join(names))
"""


def hubcore_modules() -> list[str]:
    """Every module of hubcore, from its files."""
    names = []
    for path in (ROOT / "hubcore").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:
            names.append(".".join(parts))
    return sorted(names)


def test_every_hubcore_module_imports_without_django_or_the_hubs_packages():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    imported = result.stdout.split()
    assert imported == hubcore_modules()
    assert {"hubcore.identifiers.types", "hubcore.checkpoints", "hubcore.tokens", "hubcore.oprf"} <= set(
        imported
    )
