"""What the rest of accounts needs of admission, kept apart from its services so that accounts.services
(admitting an organisation directly, changing its standing) can use it without importing the
application workflow, which itself invites the new organisation's first administrator."""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.admission.mail import applicant_tell, public_link
from accounts.admission.models import OPEN_STATES, OrganisationApplication
from accounts.admission.registration import name_normalised
from accounts.models import Organisation, VerificationState


def duplicates_of(
    *, name: str, country: str, registration_number: str, exclude: OrganisationApplication | None = None
) -> dict[str, list[str]]:
    """Per-field messages for a name or registration number already held by an organisation or by
    another open application (case and whitespace ignored); empty when there is none."""
    name = name_normalised(name)
    others = OrganisationApplication.objects.filter(state__in=OPEN_STATES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    fields: dict[str, list[str]] = {}
    if Organisation.objects.filter(name__iexact=name).exists():
        fields["legal_name"] = [gettext("An organisation of this name is already a member of the hub.")]
    elif others.filter(legal_name__iexact=name).exists():
        fields["legal_name"] = [gettext("An application under this name is already being reviewed.")]
    same_number = {"country": country.upper(), "registration_number": registration_number}
    if registration_number and Organisation.objects.filter(**same_number).exists():
        fields["registration_number"] = [
            gettext("An organisation with this registration number is already a member.")
        ]
    elif registration_number and others.filter(**same_number).exists():
        fields["registration_number"] = [
            gettext("An application with this registration number is already open.")
        ]
    return fields


def organisation_contact_tell(*, organisation: Organisation, reason: str) -> None:
    """Tell an admitted organisation's contact (from its application) of a change in its standing."""
    application = OrganisationApplication.objects.filter(organisation=organisation).first()
    if application is None:  # admitted directly by the operator: no applicant contact on file
        return
    standing = (
        gettext("suspended")
        if organisation.suspended
        else (
            gettext("in good standing")
            if organisation.verification == VerificationState.VERIFIED
            else gettext("unverified")
        )
    )
    applicant_tell(
        application=application,
        subject=gettext("Your organisation is %(standing)s") % {"standing": standing},
        body=gettext(
            "%(name)s is now %(standing)s at the Infringer Intelligence Hub.\n\nReason: %(reason)s\n\n%(link)s\n"
        )
        % {
            "name": organisation.name,
            "standing": standing,
            "reason": reason or gettext("none given"),
            "link": public_link("/"),
        },
    )
