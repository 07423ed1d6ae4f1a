"""The hub's PostgreSQL database backend: Django's own, told the token table may be hash-partitioned (base.py)."""
