"""Feedback as STIX 2.1: a member's feedback is a `sighting` of the subject's indicator in the feed.

What the member says rides in a property extension of the hub's own feedback extension-definition
(FEEDBACK_EXTENSION_ID, published in the feed as a fixed object): x_iih_outcome, x_iih_action,
x_iih_reasons, x_iih_note. The stored sighting is answered to its own organisation only; the
sighting never names the member or its organisation (no created_by_ref, no where_sighted_refs).
"""

from __future__ import annotations

import json
from datetime import UTC

import stix2

from sharing.feed.services.content import FEEDBACK_EXTENSION_ID, TLP_AMBER_ID
from sharing.feedback.services.feedback import FeedbackGiven
from sharing.models import HitFeedback


def sighting_content(row: HitFeedback, *, indicator: str) -> dict:
    """The STIX sighting of one stored feedback (its id is the feedback's own)."""
    moment = row.created_at.astimezone(UTC)
    properties = {"x_iih_outcome": row.outcome, "x_iih_reasons": list(row.reasons)}
    if row.action:
        properties["x_iih_action"] = row.action
    if row.note:
        properties["x_iih_note"] = row.note
    sighting = stix2.v21.Sighting(
        id=f"sighting--{row.public_id}",
        created=moment,
        modified=moment,
        first_seen=moment,
        last_seen=moment,
        count=1,
        sighting_of_ref=indicator,
        object_marking_refs=[TLP_AMBER_ID],
        extensions={FEEDBACK_EXTENSION_ID: {"extension_type": "property-extension", **properties}},
    )
    return json.loads(sighting.serialize())


def given_from_extension(properties: dict) -> FeedbackGiven:
    """What a posted sighting's extension says (already validated by the API's serializer)."""
    return FeedbackGiven(
        outcome=properties["x_iih_outcome"],
        action=properties.get("x_iih_action", ""),
        reasons=tuple(properties.get("x_iih_reasons", ())),
        note=properties.get("x_iih_note", ""),
    )
