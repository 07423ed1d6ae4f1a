"""Re-key stored identifier tokens (and live bulk jobs' rows) under the active HUB_TOKEN_STORAGE_KEYS version, in place."""

from django.core.management.base import BaseCommand

from sharing.keys.services.token_storage import token_storage_rotate


class Command(BaseCommand):
    help = (
        "Rewrite stored tokens, and the rows of queued or running bulk jobs, under the newest storage key. "
        "Add the new key to HUB_TOKEN_STORAGE_KEYS (keeping the old one) on every process, run this, then drop "
        "the old key. Checks and bulk jobs keep working throughout."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--dry-run", action="store_true", help="count what would be rewritten")

    def handle(self, *args, **options):
        summary = token_storage_rotate(batch_size=options["batch_size"], dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write(
                f"{summary.remaining} stored tokens and {summary.bulk_rows} rows of pending bulk jobs "
                "are not under the active storage key."
            )
        else:
            self.stdout.write(
                f"Rewrote {summary.rewritten} stored tokens, merged {summary.merged}, "
                f"re-sealed {summary.bulk_rows} rows of pending bulk jobs."
            )
