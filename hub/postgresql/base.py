"""Django's PostgreSQL backend, except that it never groups by a partitioned table's id alone.

Django groups a query by a model's primary key only, leaving out the model's other selected columns,
because PostgreSQL accepts them as functionally dependent on the primary key. The token table is
hash-partitioned on token (sharing migration 0035), so its primary key there is (id, token): grouped
by id alone, PostgreSQL refuses the other columns ("must appear in the GROUP BY clause"). For such a
table Django groups by every selected column instead, as it does on backends without the shortcut.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, features

# Tables whose PostgreSQL primary key is not the model's primary key alone (partitioned tables).
PARTITIONED_TABLES = frozenset({"sharing_identifiertoken"})


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model) -> bool:
        return (
            model._meta.db_table not in PARTITIONED_TABLES
            and super().allows_group_by_selected_pks_on_model(model)
        )


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
