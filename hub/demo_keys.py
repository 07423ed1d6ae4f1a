"""Demo keys for the embedded default, generated on first run into var/ (never in the repo).

HUB_ENV=production never reads this file: every key must come from the environment
or a file named by NAME_FILE.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

DEMO_NOTICE = "DEMO KEYS for the embedded default only; generated on first run; never use in production."


def _generate() -> dict[str, str]:
    return {
        "_notice": DEMO_NOTICE,
        "DJANGO_SECRET_KEY": "demo-" + secrets.token_urlsafe(40),
        "HUB_OPRF_SEED": secrets.token_hex(32),
        "HUB_TOKEN_STORAGE_KEYS": "1:" + secrets.token_hex(64),
        "HUB_KEKS": "1:" + secrets.token_hex(32),
        "HUB_SIGNING_KEY": secrets.token_hex(32),
    }


def demo_keys(path: Path) -> dict[str, str]:
    """Read the demo key file, creating it first (atomically, so parallel first runs agree)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as handle:
            json.dump(_generate(), handle, indent=2)
        os.chmod(handle.name, 0o600)
        try:
            os.link(handle.name, path)  # fails if another process won the race; theirs stands
        except FileExistsError:
            pass
        finally:
            os.unlink(handle.name)
    return json.loads(path.read_text())
