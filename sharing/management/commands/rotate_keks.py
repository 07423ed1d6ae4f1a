"""Re-wrap restricted records' data keys under the active HUB_KEKS version, online."""

from django.core.management.base import BaseCommand, CommandError

from hub.keys import key_encryption_keys
from sharing.keys.services.kek_rotation import kek_rotate


class Command(BaseCommand):
    help = (
        "Re-wrap every restricted record's data key under the newest KEK; payload ciphertexts are not "
        "touched and reads keep working throughout. Procedure: 1) add the new KEK to HUB_KEKS with a "
        "higher version, keeping the old one, and restart every process so new records are sealed under "
        "it; 2) run this command (safe to rerun: it resumes after a crash and does nothing when done); "
        "3) run it with --dry-run and check it reports 0 remaining; 4) only then remove the old KEK from "
        "HUB_KEKS and destroy it. Records still under a removed KEK can never be opened again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="records re-wrapped per transaction")
        parser.add_argument("--dry-run", action="store_true", help="count records not under the active KEK")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        active = key_encryption_keys().active_version
        summary = kek_rotate(batch_size=options["batch_size"], dry_run=options["dry_run"])
        if options["dry_run"]:
            self.stdout.write(
                f"{summary.remaining} restricted records are not under the active KEK (version {active})."
            )
        else:
            self.stdout.write(
                f"Re-wrapped {summary.rewrapped} restricted records under KEK version {active}; "
                f"{summary.remaining} remaining."
            )
