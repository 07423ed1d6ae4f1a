"""Seed the demo organisations, members and API keys of the embedded default."""

import json
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisations and their members' API keys (idempotent); prints the keys."

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument(
            "--json", action="store_true", help="print a JSON list of {organisation, kind, role, api_key}"
        )
        output.add_argument(
            "--env",
            action="store_true",
            help='print `export USERNAME_KEY=...` lines for a shell (eval "$(... seed_demo --env)")',
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with HUB_ENV=production: demo keys are public.")
        members = demo_seed()
        if options["json"]:
            rows = [
                {
                    "organisation": m.organisation,
                    "kind": m.kind,
                    "role": m.role,
                    "username": m.username,
                    "api_key": m.api_key,
                    **({"private_key_path": m.private_key_path} if m.private_key_path else {}),
                }
                for m in members
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if options["env"]:
            for m in members:
                self.stdout.write(f"export {demo_key_variable(m.username)}={shlex.quote(m.api_key)}")
            return
        self.stdout.write("DEMO API keys (public demo values; never use them in production):")
        for m in members:
            self.stdout.write(
                f"  {m.organisation:<24} {m.kind:<13} {m.role:<19} {m.username:<18} {m.api_key}"
            )
        self.stdout.write(f"Web login: any username above, password {DEMO_PASSWORD!r}.")
        court_keys = {m.private_key_path for m in members if m.private_key_path}
        for path in court_keys:
            self.stdout.write(f"The demo court's private decryption key (DEMO): {path}")
        self.stdout.write(
            f"Seeded {len(members)} demo members in {len({m.organisation for m in members})} organisations."
        )


def demo_key_variable(username: str) -> str:
    """The shell variable the README uses for a demo member's key: platform-analyst → PLATFORM_ANALYST_KEY."""
    return username.upper().replace("-", "_") + "_KEY"
