"""Create (or update) the application's database role and grant it the application's privileges."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.db_roles import APPEND_ONLY_TABLES, app_role_statements
from hub.env import env_secret


class Command(BaseCommand):
    help = (
        "PostgreSQL, run as the database owner after migrate: create the login role given by --role "
        "(password from HUB_APP_DB_PASSWORD or HUB_APP_DB_PASSWORD_FILE; without one the role must exist) "
        "and grant it every table except UPDATE, DELETE and TRUNCATE on the audit log. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default="hub_app")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; the embedded SQLite database has no roles.")
        password = env_secret("HUB_APP_DB_PASSWORD") or None
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_schema()")
            database, schema = cursor.fetchone()
        with transaction.atomic():
            # On the driver's cursor, not Django's: a debug cursor would log the password.
            with connection.connection.cursor() as cursor:
                for statement in app_role_statements(
                    role=role, database=database, schema=schema, password=password
                ):
                    cursor.execute(statement)
        self.stdout.write(
            f"Role {role}: reads and writes every table of {database}.{schema}; "
            f"no UPDATE, DELETE or TRUNCATE on {', '.join(APPEND_ONLY_TABLES)}."
        )
