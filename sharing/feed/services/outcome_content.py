"""A rights owner's "Sellers you reported" object: what became of one listed subject its accepted
reports name, as a STIX 2.1 note with the hub's outcome extension (content.OUTCOME_EXTENSION_ID).

The state comes from sharing.outcomes (the same selectors as the outcomes page and API, handed to
the feed at start-up: audiences.outcome_states); this module only dresses it as STIX. A count of
members' behaviour below the suppression threshold arrives, and is published, as suppressed.
"""

from __future__ import annotations

import json
from datetime import datetime

import stix2

from sharing.feed.services.content import HUB_IDENTITY_ID, OUTCOME_EXTENSION_ID, TLP_AMBER_ID


def _count_text(count: dict) -> str:
    return f"fewer than {count['fewer_than']} organisations" if count["suppressed"] else str(count["value"])


def outcome_content(*, stix_id: str, state: dict, created: datetime, modified: datetime) -> dict:
    """The note of one subject's outcome for its audience organisation, as published at `modified`.
    `state["indicator"]` is the subject's listing indicator, the object the note is about."""
    properties = {key: value for key, value in state.items() if key != "indicator"}
    summary = (
        f"Level {state['level']}; your accepted reports: {state['your_accepted_reports']}; accounts linked "
        f"since: {state['new_accounts']}; members checked: {_count_text(state['members_checked'])}; members "
        f"acted: {_count_text(state['members_acted'])}; disputes: {len(state.get('disputes', []))}."
    )
    note = stix2.v21.Note(
        id=stix_id,
        created_by_ref=HUB_IDENTITY_ID,
        created=created,
        modified=modified,
        abstract="Seller you reported: what became of it",
        content=summary,
        object_refs=[state["indicator"]],
        object_marking_refs=[TLP_AMBER_ID],
        extensions={OUTCOME_EXTENSION_ID: {"extension_type": "property-extension", **properties}},
    )
    return json.loads(note.serialize())
