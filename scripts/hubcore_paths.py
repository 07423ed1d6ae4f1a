#!/usr/bin/env python3
"""Rewrite module paths to the Django-free hubcore package (issue 13): a pure substitution, idempotent.

Run from a checkout (`python3 scripts/hubcore_paths.py [root]`) after merging a branch that still
names the old paths; it edits every tracked text file except itself and prints what it changed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# (old, new) module paths and the file paths that name them; word-bounded on both sides. A
# `from package import module` is rewritten only when that module is the line's one name: a line
# importing others too (`from accounts.audit import merkle, review`) must be split by hand.
SUBSTITUTIONS = [
    (r"\bsharing\.identifiers\b", "hubcore.identifiers"),
    (r"\bsharing\.crypto\.oprf\b", "hubcore.oprf"),
    (r"(?m)^([ \t]*)from sharing\.crypto import oprf[ \t]*$", r"\1from hubcore import oprf"),
    (r"\baccounts\.audit\.merkle\b", "hubcore.merkle"),
    (r"(?m)^([ \t]*)from accounts\.audit import merkle[ \t]*$", r"\1from hubcore import merkle"),
    (r"\bsharing\.csv_safe\b", "hubcore.csv_safe"),
    (r"(?m)^([ \t]*)from sharing import csv_safe[ \t]*$", r"\1from hubcore import csv_safe"),
    (r"\bsharing/identifiers/", "hubcore/identifiers/"),
    (r"\bsharing/crypto/oprf\.py\b", "hubcore/oprf.py"),
    (r"\baccounts/audit/merkle\.py\b", "hubcore/merkle.py"),
    (r"\bsharing/csv_safe\.py\b", "hubcore/csv_safe.py"),
]
SUFFIXES = {".py", ".md", ".toml", ".cfg", ".txt", ".html", ".yml", ".yaml", ".ini", ""}


def main(root: Path) -> None:
    listed = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True)
    myself = Path(__file__).resolve()
    for name in listed.stdout.split():
        path = root / name
        if path.suffix not in SUFFIXES or not path.is_file() or path.is_symlink() or path.resolve() == myself:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = text
        for pattern, replacement in SUBSTITUTIONS:
            new = re.sub(pattern, replacement, new)
        if new != text:
            path.write_text(new)
            print(name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
