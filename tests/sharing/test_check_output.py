"""The check's answer rendered without a serializer (the hot path) is CheckOutput's rendering, exactly."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from sharing.checks.serializers import CheckOutput, check_output
from sharing.checks.services.checks import CheckResult
from sharing.checks.services.suppression import SuppressedCount
from sharing.models.parcels import ParcelEventKind

words = st.lists(
    st.sampled_from(["phone", "email", "store_url", "wechat_id", "name", "trademark"]), max_size=4
)
counts = st.builds(
    SuppressedCount, value=st.one_of(st.none(), st.integers(0, 500)), threshold=st.integers(1, 10)
)
moments = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
results = st.builds(
    CheckResult,
    check_id=st.uuids().map(str),
    level=st.sampled_from(["none", "reported", "listed", "confirmed"]),
    risk=st.integers(0, 100),
    matched_types=words,
    corroborated_types=words,
    match=st.sampled_from([None, "direct", "linked"]),
    reports_matched=st.integers(0, 10**6),
    subjects_matched=st.integers(0, 1000),
    reporting_organisations=st.integers(0, 1000),
    reporter_kinds=words,
    strongest_verification=st.one_of(st.none(), st.sampled_from(["self_declared", "court_verified"])),
    ip_types=words,
    categories=words,
    first_seen=moments,
    last_seen=moments,
    disputed=st.booleans(),
    linked_store_accounts=st.integers(0, 1000),
    linked_platforms=st.integers(0, 100),
    members_acted=counts,
    members_false_positive=counts,
    recommended_action=st.sampled_from(["allow", "review", "block"]),
    explanation=st.text(max_size=200),
    parcel_events=st.fixed_dictionaries({kind: counts for kind in ParcelEventKind.values}),
    parcel_action=st.sampled_from([None, "hold_for_inspection", "accept"]),
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(results)
def test_the_fast_rendering_is_the_serializers_byte_for_byte(result):
    fast = JSONRenderer().render(check_output(result))
    slow = JSONRenderer().render(CheckOutput(result).data)

    assert fast == slow
    assert json.loads(fast)["check_id"] == str(uuid.UUID(result.check_id))


def test_every_field_of_the_schema_is_rendered():
    rendered = check_output(CheckResult(check_id=str(uuid.uuid4()), level="none", risk=0))

    assert list(rendered) == list(CheckOutput().fields)


@hypothesis_settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(results, st.one_of(st.none(), st.text(min_size=1, max_size=40))), max_size=3))
def test_a_batch_renders_as_its_serializer(checked):
    from types import SimpleNamespace

    from sharing.checks.serializers import CheckBatchOutput, check_batch_output

    items = [SimpleNamespace(result=result, reference=reference) for result, reference in checked]
    fast = check_batch_output(items)

    assert JSONRenderer().render(fast) == JSONRenderer().render(CheckBatchOutput({"results": items}).data)
