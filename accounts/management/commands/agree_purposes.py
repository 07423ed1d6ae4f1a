"""An operator records the purposes an organisation's membership agreement allows (accounts/purposes.py)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from accounts.purposes import Purpose, agreed_purposes_check
from accounts.services import organisation_purposes_agree
from hub.errors import DomainError


class Command(BaseCommand):
    help = (
        "Set the purposes an organisation's membership agreement allows, a subset of its kind's; "
        "--all agrees to every purpose its kind allows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's public id")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--purposes", help=f"comma-separated, of: {', '.join(Purpose.values)}")
        group.add_argument("--all", action="store_true", help="every purpose the kind allows")
        parser.add_argument("--dry-run", action="store_true", help="validate only; change nothing")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(public_id=options["organisation"]).first()
        if organisation is None:
            raise CommandError("No organisation has this public id.")
        purposes = (
            None if options["all"] else [p.strip() for p in options["purposes"].split(",") if p.strip()]
        )
        try:
            if options["dry_run"]:
                checked = agreed_purposes_check(kind=organisation.kind, purposes=purposes)
                self.stdout.write(f"Would agree purposes {checked if checked is not None else 'all'}.")
                return
            organisation = organisation_purposes_agree(
                organisation=organisation, purposes=purposes, actor=None
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        agreed = organisation.agreed_purposes
        self.stdout.write(
            f"Agreed purposes: {', '.join(agreed) if agreed is not None else 'all its kind allows'}"
        )
