"""Run the retention purge now (the daily beat runs it too): report metadata, tokens, subjects,
match records, and audit details past their periods; --dry-run counts without deleting."""

from contextlib import nullcontext

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.audit.retention import audit_details_purge
from sharing.retention.services.purge import retention_purge


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Delete what the retention periods no longer keep (README, Retention): the same as the daily "
        "tasks. Safe to rerun; a legal hold, a live dispute or an order in progress keeps its records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")

    def handle(self, *args, **options):
        try:
            # One transaction only for a dry run, to roll it all back; a real run commits batch by batch.
            with transaction.atomic() if options["dry_run"] else nullcontext():
                counts, audit_rows = vars(retention_purge()), audit_details_purge()
                if options["dry_run"]:
                    raise _DryRun
        except _DryRun:
            pass
        summary = " ".join(f"{kind}={n}" for kind, n in counts.items())
        verb = "Would purge" if options["dry_run"] else "Purged"
        self.stdout.write(f"{verb}: {summary} audit_details={audit_rows}.")
