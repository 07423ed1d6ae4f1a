"""The files commands save: checked before anything is fetched, written whole and private to their owner."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hubctl.inputs import InputError


def out_file(path: str, option: str) -> Path:
    """An output file's path: a file in an existing directory, else a usage error naming the option."""
    target = Path(path)
    if target.is_dir() or not target.parent.is_dir():
        raise InputError(f"{option} must name a file in an existing directory: {path}")
    return target


def save_private(target: Path, data: bytes, what: str = "the package") -> None:
    """Write data to target atomically (a temporary file renamed), readable by its owner only."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise InputError(
            f"{what} was downloaded but cannot be saved to {target}: {exc.strerror or exc}"
        ) from None
