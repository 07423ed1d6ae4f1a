"""Recompute every subject under the linking rules (only strong and medium identifiers link)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sharing.feed.services.publish import feed_publish_all
from sharing.subjects.services.subjects_relink_all import subjects_relink_all


class Command(BaseCommand):
    help = (
        "Recompute every subject from the live reports' strong and medium identifiers and write only the "
        "differences, a batch per transaction. Idempotent: a second run changes nothing; rerun to resume. "
        "Run it while report review is paused: a report accepted during the run may need a second run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="tokens written per transaction")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(
            subjects_relink_all(batch_size=options["batch_size"], dry_run=options["dry_run"]).line()
        )
        if not options["dry_run"]:
            # Subjects moved wholesale, outside the changes that publish to the feed: reconcile it.
            with transaction.atomic():
                feed_publish_all()
