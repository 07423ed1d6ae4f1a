"""Hash-partition the token table, or return it to a plain table: an operator's choice on PostgreSQL."""

from django.core.management.base import BaseCommand, CommandError

from sharing.subjects.services.token_partitioning import (
    DEFAULT_PARTITIONS,
    TokenTableRefused,
    token_table_partition,
    token_table_unpartition,
)


class Command(BaseCommand):
    help = (
        "Hash-partition sharing_identifiertoken on token (PostgreSQL only), or with --undo return it to a "
        "plain table. Copies the table under an exclusive lock (about a minute per million tokens): run it "
        "in a maintenance window. Partitioned, a check's lookups are slower at 1M tokens; see "
        "docs/scaling.md section 4. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--partitions", type=int, default=DEFAULT_PARTITIONS, help=f"default {DEFAULT_PARTITIONS}"
        )
        parser.add_argument("--undo", action="store_true", help="return the token table to a plain table")

    def handle(self, *args, **options):
        try:
            if options["undo"]:
                change = token_table_unpartition()
            else:
                change = token_table_partition(partitions=options["partitions"])
        except TokenTableRefused as exc:
            raise CommandError(str(exc)) from None
        if not change.changed:
            form = f"partitioned in {change.partitions_after}" if change.partitions_after else "a plain table"
            self.stdout.write(f"The token table is already {form}; nothing changed.")
        elif change.partitions_after:
            self.stdout.write(f"Partitioned the token table in {change.partitions_after} on token.")
        else:
            self.stdout.write(
                f"Returned the token table to a plain table (it had {change.partitions_before} partitions)."
            )
