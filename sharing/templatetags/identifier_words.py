"""Identifier types in the reader's language on a page: `{% load identifier_words %}{{ type|type_label }}`.

The one catalogue of the labels is sharing.models.identifiers.IDENTIFIER_TYPE_LABELS; an unknown
code is shown as it is."""

from django import template

from sharing.models.identifiers import IDENTIFIER_TYPE_LABELS

register = template.Library()


@register.filter
def type_label(identifier_type: str) -> str:
    label = {str(kind.value): label for kind, label in IDENTIFIER_TYPE_LABELS.items()}.get(
        str(identifier_type)
    )
    return str(label) if label is not None else str(identifier_type)


@register.filter
def type_labels(identifier_types) -> str:
    """Several types as one comma-separated list of labels."""
    return ", ".join(type_label(t) for t in identifier_types)
