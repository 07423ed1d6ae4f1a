"""Filters for the rights owner's pages: a report's codes as words in the reader's language."""

from __future__ import annotations

from django import template

from sharing.reports.labels import CATEGORY_LABELS, IP_TYPE_LABELS, LEVEL_LABELS, STATE_BADGES, STATE_LABELS

register = template.Library()


@register.filter
def state_label(code: str) -> str:
    return str(STATE_LABELS.get(code, code))


@register.filter
def state_badge(code: str) -> str:
    return STATE_BADGES.get(code, "")


@register.filter
def ip_type_label(code: str) -> str:
    return str(IP_TYPE_LABELS.get(code, code))


@register.filter
def category_label(code: str) -> str:
    return str(CATEGORY_LABELS.get(code, code))


@register.filter
def level_label(code: str) -> str:
    return str(LEVEL_LABELS.get(code, code))
