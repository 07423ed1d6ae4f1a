"""Audit codes in the reader's language on the review pages: `{% load audit_words %}{{ event.role|role_label }}`.

The log itself, its export and its proofs keep the codes; the pages show the words (the code stays
in the cell's `data-code` for anyone comparing with an export)."""

from django import template

from accounts.audit.models import LegalBasis
from accounts.roles import Role

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


@register.filter
def legal_basis_label(code: str) -> str:
    """A named basis in words; a court order's basis ("court_order:<id>") and others stay as recorded."""
    return str(LegalBasis(code).label) if code in LegalBasis.values else code
