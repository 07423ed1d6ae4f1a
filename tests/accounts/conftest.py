"""The audit log's tests run under both ways of sequencing (accounts/audit/sequencer.py)."""

from __future__ import annotations

import pytest

SEQUENCINGS = ("inline", "batched")


def _audit_module(metafunc) -> bool:
    """test_audit_sequencer.py sets the mode of each of its tests itself."""
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    return name.startswith("test_audit_") and name != "test_audit_sequencer"


def pytest_generate_tests(metafunc):
    if _audit_module(metafunc):
        metafunc.fixturenames.append("audit_sequencing")
        metafunc.parametrize("audit_sequencing", SEQUENCINGS, indirect=True)


def pytest_collection_modifyitems(items):
    """Batched: the sequencer runs after the action's commit (in-process tasks), so those tests run
    in real transactions; in a test wrapped in one transaction nothing would ever commit."""
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec is not None and spec.params.get("audit_sequencing") == "batched":
            item.add_marker(pytest.mark.django_db(transaction=True), append=False)


@pytest.fixture
def audit_sequencing(request, settings):
    settings.HUB_AUDIT_SEQUENCING = request.param
    return request.param
