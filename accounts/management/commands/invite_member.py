"""Invite a person into an organisation (named by public id or exact name); mails and prints the link."""

from django.core.management.base import BaseCommand, CommandError

from accounts.invitations.selectors import organisation_by_name_or_id
from accounts.invitations.services import accept_url, invitation_create
from accounts.roles import Role
from hub.errors import DomainError


class Command(BaseCommand):
    help = "Invite a member into an organisation: sends the invitation mail and prints the one-time link."

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", required=True, help="the organisation's public id or exact name"
        )
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--no-mail", action="store_true", help="only print the link, send no mail")

    def handle(self, *args, **options):
        organisation = organisation_by_name_or_id(options["organisation"])
        if organisation is None:
            raise CommandError("No such organisation (give its public id or its exact name).")
        try:
            invitation, token = invitation_create(
                email=options["email"],
                role=options["role"],
                organisation=organisation,
                actor=None,
                send=not options["no_mail"],
            )
        except DomainError as exc:
            detail = " ".join(str(m) for found in (exc.fields or {}).values() for m in found)
            raise CommandError(f"{exc.message} {detail}".strip()) from exc
        self.stdout.write(f"Invitation {invitation.public_id} to {organisation.name} as {invitation.role}.")
        self.stdout.write(accept_url(token))
