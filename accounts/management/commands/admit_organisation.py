"""An operator's first day: admit and verify an organisation directly (courts and auditors included)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.admission.registration import RegistrationNumberError, registration_number_clean
from accounts.roles import OrganisationKind
from accounts.services import organisation_create
from hub.errors import DomainError
from hub.jurisdiction import country_code_valid


class Command(BaseCommand):
    help = (
        "Admit an organisation, verified, by name, kind, country and registration number; prints its "
        "public id (invite its first administrator with that)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. CN")
        parser.add_argument("--registration-number", default="", help="validated per country where known")
        parser.add_argument(
            "--jurisdiction",
            default="",
            help="where it receives data (ISO 3166-1 alpha-2); default HUB_DATA_RESIDENCY",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only; admit nothing")

    def handle(self, *args, **options):
        country = options["country"].upper()
        if len(country) != 2 or not country.isalpha():
            raise CommandError("--country must be a two-letter ISO code")
        jurisdiction = options["jurisdiction"].upper()
        if jurisdiction and not country_code_valid(jurisdiction):
            raise CommandError("--jurisdiction must be an ISO 3166-1 alpha-2 code")
        number = options["registration_number"]
        try:
            number = registration_number_clean(country=country, number=number) if number.strip() else ""
        except RegistrationNumberError as exc:
            raise CommandError(str(exc)) from None
        if options["dry_run"]:
            self.stdout.write(f"Would admit {options['kind']} organisation {options['name']!r} ({country}).")
            return
        try:
            organisation = organisation_create(
                name=options["name"],
                kind=OrganisationKind(options["kind"]),
                country=country,
                registration_number=number,
                jurisdiction=jurisdiction,
                verified=True,
                actor=None,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}".strip()) from None
        self.stdout.write(f"Admitted {organisation.kind} organisation {organisation.public_id}")
