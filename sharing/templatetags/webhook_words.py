"""Webhook event types in the reader's language on a page: `{% load webhook_words %}{{ type|event_type_label }}`.

The one catalogue of the labels is sharing.watchlists.services.watchlists.EVENT_TYPE_LABELS, next to
the event types themselves; the payload keeps the code, and the page shows it beside the words for
the developer matching deliveries to a receiver's log. An unknown code is shown as it is."""

from django import template

from sharing.watchlists.services.watchlists import EVENT_TYPE_LABELS

register = template.Library()


@register.filter
def event_type_label(event_type: str) -> str:
    label = EVENT_TYPE_LABELS.get(str(event_type))
    return str(label) if label is not None else str(event_type)
