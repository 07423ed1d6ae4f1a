"""Verify the audit log: leaves, sequence, every checkpoint, consistency, truncation."""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit.log import log_size, purged_event_count
from accounts.audit.models import AuditCheckpoint
from accounts.audit.verify import audit_verify


class Command(BaseCommand):
    help = "Exit 0 when the audit log verifies against its signed checkpoints; otherwise name what failed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--public-key", help="the hub's Ed25519 public key as hex (default: this hub's own)"
        )

    def handle(self, *args, **options):
        public_key = bytes.fromhex(options["public_key"]) if options.get("public_key") else None
        problems = audit_verify(public_key=public_key)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The audit log does not verify: {len(problems)} problem(s).")
        self.stdout.write(
            f"The audit log verifies: {log_size()} events, {AuditCheckpoint.objects.count()} checkpoints."
        )
        purged = purged_event_count()
        if purged:
            self.stdout.write(
                f"{purged} events had their details purged after the retention period: they were checked "
                "by their stored leaf hash, which cannot be recomputed without the details."
            )
