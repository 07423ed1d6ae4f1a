"""Read the hub's tables and indexes into the operating system's page cache before measuring.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/prewarm.py

A production database server is sized so its working set stays in memory; a freshly seeded 10M
database (about 11 GB) is not all in the page cache yet, and the first run would measure disk
reads instead of the hub. Uses pg_prewarm (PostgreSQL contrib) in 'read' mode, which fills the
OS cache, not shared_buffers, so PostgreSQL's own configuration stays the default. Prints the
size read and the time it took.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_url  # noqa: E402

RELATIONS = """SELECT c.oid::regclass::text, pg_relation_size(c.oid) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND (c.relname LIKE 'sharing_%' OR c.relname LIKE 'accounts_%')
ORDER BY pg_relation_size(c.oid) DESC"""


def main() -> None:
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        # A streaming replica refuses CREATE EXTENSION even with IF NOT EXISTS: it has the primary's.
        if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'").fetchone():
            conn.execute("CREATE EXTENSION pg_prewarm")
        started, total = time.perf_counter(), 0
        for relation, size in conn.execute(RELATIONS).fetchall():
            conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", (relation,))
            total += size
        print(
            f"prewarmed {total / 2**30:.1f} GiB of sharing_* and accounts_* tables and indexes "
            f"in {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
