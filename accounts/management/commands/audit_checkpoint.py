"""Publish a signed checkpoint of the audit log now."""

from django.core.management.base import BaseCommand

from accounts.audit.checkpoints import checkpoint_create


class Command(BaseCommand):
    help = (
        "Sign the audit log's current Merkle root into a checkpoint, stored in the database and outside it."
    )

    def handle(self, *args, **options):
        checkpoint = checkpoint_create()
        if checkpoint is None:
            self.stdout.write("No new audit events since the last checkpoint.")
            return
        self.stdout.write(f"Checkpoint of size {checkpoint.size}, root {checkpoint.root_hash}.")
