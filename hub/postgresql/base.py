"""Django's PostgreSQL backend, except that it never groups by the token table's id alone.

Django groups a query by a model's primary key only, leaving out the model's other selected columns,
because PostgreSQL accepts them as functionally dependent on the primary key. An operator may
hash-partition the token table on token (manage.py token_table_partition), and its primary key is
then (id, token): grouped by id alone, PostgreSQL refuses the other columns ("must appear in the GROUP
BY clause"). For that table Django groups by every selected column instead, as it does on backends
without the shortcut. It does so whichever form the table has (knowing would take a catalog query per
statement): on a plain table the answers are the same, grouped by the token's few columns.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, features

# Tables whose PostgreSQL primary key may not be the model's primary key alone (when partitioned).
PARTITIONABLE_TABLES = frozenset({"sharing_identifiertoken"})


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model) -> bool:
        return (
            model._meta.db_table not in PARTITIONABLE_TABLES
            and super().allows_group_by_selected_pks_on_model(model)
        )


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
