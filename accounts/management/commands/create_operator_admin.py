"""The operator's first day: the operator organisation (if none yet) and an invitation for its admin."""

from django.core.management.base import BaseCommand, CommandError

from accounts.invitations.services import accept_url, invitation_create, operator_organisation_ensure
from accounts.roles import Role
from hub.errors import DomainError


class Command(BaseCommand):
    help = (
        "Invite an operator administrator: prints a one-time link where they set their own password "
        "(there is no default password). Creates the operator organisation first if there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the administrator's email address")
        parser.add_argument("--organisation-name", default="Hub Operator", help="used only when creating it")
        parser.add_argument("--country", default="CN", help="ISO 3166-1 alpha-2, used only when creating it")
        parser.add_argument("--no-mail", action="store_true", help="only print the link, send no mail")

    def handle(self, *args, **options):
        organisation, created = operator_organisation_ensure(
            name=options["organisation_name"], country=options["country"]
        )
        if created:
            self.stdout.write(
                f"Created the operator organisation {organisation.name} ({organisation.public_id})."
            )
        try:
            invitation, token = invitation_create(
                email=options["email"],
                role=Role.ADMIN,
                organisation=organisation,
                actor=None,
                send=not options["no_mail"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Invitation {invitation.public_id}, valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write("One-time link (give it only to the administrator):")
        self.stdout.write(accept_url(token))
