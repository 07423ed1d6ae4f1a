"""The hub's PostgreSQL database backend: Django's own, told about the hash-partitioned token table (base.py)."""
