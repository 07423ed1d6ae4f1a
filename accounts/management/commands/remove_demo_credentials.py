"""Revoke the demo API keys and disable the demo password, so that production can start."""

from django.core.management.base import BaseCommand

from accounts.demo import demo_credentials_found, demo_credentials_remove


class Command(BaseCommand):
    help = "Revoke every demo API key and disable the demo password of the demo users (HUB_ENV=production refuses them)."
    # Runs while the demo-credentials system check fails: removing them is what makes it pass.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")

    def handle(self, *args, **options):
        found = demo_credentials_found() if options["dry_run"] else demo_credentials_remove()
        verb = "Would remove" if options["dry_run"] else "Removed"
        self.stdout.write(f"{verb} {found.describe()}.")
