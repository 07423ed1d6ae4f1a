"""In CI, refuse to fall back to SQLite or in-process tasks: PostgreSQL and the broker must answer."""

import os
import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def main() -> int:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL in CI")
    elif not reachable(database_url, 5432):
        problems.append(f"PostgreSQL is unreachable at {urlparse(database_url).netloc}")
    if not broker_url:
        problems.append("CELERY_BROKER_URL must be set in CI")
    elif not reachable(broker_url, 6379):
        problems.append(f"the Celery broker is unreachable at {urlparse(broker_url).netloc}")
    for problem in problems:
        print(f"CI: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
