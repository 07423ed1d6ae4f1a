"""A local mirror of a TAXII collection in SQLite: each object's newest version, minus the revoked.

The mirror keeps its own cursor (the last `X-TAXII-Date-Added-Last` it stored), so each pull asks
only for what was added since; a page's objects and the cursor after it commit together, so an
interrupted pull resumes where it stopped and never applies a version twice. A revoked object is
deleted and remembered, so an older version arriving later cannot bring it back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, modified TEXT NOT NULL, content TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revoked (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS cursors (collection TEXT PRIMARY KEY, added_after TEXT NOT NULL);
"""


@dataclass(frozen=True)
class PullSummary:
    collection: str
    versions: int
    objects: int
    revoked: int
    cursor: str | None

    def line(self) -> str:
        return (
            f"Pulled {self.versions} version(s) of collection {self.collection}; the mirror holds "
            f"{self.objects} object(s), {self.revoked} revoked; cursor {self.cursor or 'none'}."
        )


class Mirror:
    def __init__(self, path: str | Path):
        self.db = sqlite3.connect(str(path))
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def cursor_of(self, collection: str) -> str | None:
        row = self.db.execute(
            "SELECT added_after FROM cursors WHERE collection = ?", (collection,)
        ).fetchone()
        return row[0] if row else None

    def apply_page(self, collection: str, objects: list[dict], cursor: str | None) -> None:
        """Take a page's versions and move the cursor past them, in one transaction."""
        with self.db:
            for obj in objects:
                self._take(obj)
            if cursor:
                self.db.execute(
                    "INSERT INTO cursors (collection, added_after) VALUES (?, ?) "
                    "ON CONFLICT (collection) DO UPDATE SET added_after = excluded.added_after",
                    (collection, cursor),
                )

    def _take(self, obj: dict) -> None:
        stix_id = obj["id"]
        if self.db.execute("SELECT 1 FROM revoked WHERE id = ?", (stix_id,)).fetchone():
            return
        if obj.get("revoked"):
            self.db.execute("INSERT OR IGNORE INTO revoked (id) VALUES (?)", (stix_id,))
            self.db.execute("DELETE FROM objects WHERE id = ?", (stix_id,))
            return
        modified = obj.get("modified") or obj.get("created") or ""
        self.db.execute(
            "INSERT INTO objects (id, type, modified, content) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET type = excluded.type, modified = excluded.modified, "
            "content = excluded.content WHERE excluded.modified >= objects.modified",
            (stix_id, obj["type"], modified, json.dumps(obj, sort_keys=True)),
        )

    def counts(self) -> tuple[int, int]:
        objects = self.db.execute("SELECT COUNT(*) FROM objects").fetchone()[0]
        revoked = self.db.execute("SELECT COUNT(*) FROM revoked").fetchone()[0]
        return objects, revoked

    def objects(self) -> list[dict]:
        return [json.loads(row[0]) for row in self.db.execute("SELECT content FROM objects ORDER BY id")]
