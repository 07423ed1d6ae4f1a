"""The base of every API view: it knows the acting member and wraps the call in one transaction."""

from __future__ import annotations

from django.db import transaction
from rest_framework.views import APIView

from accounts.actors import Actor
from accounts.permissions import actor_from_request
from accounts.roles import Capability


class HubApiView(APIView):
    # One for every method, or one per method. Every view sets it: HasCapability refuses None.
    required_capability: Capability | dict[str, Capability] | None = None
    audit_object_type = ""
    # The methods that answer whether identifiers match a live report. Each one's service passes
    # sharing.checks.services.match_gate; tests/sharing/test_match_gate.py drives every one it finds here.
    match_revealing_methods: frozenset[str] = frozenset()
    # Methods that take a quota without revealing matches (oblivious evaluation): they too may answer 429,
    # which hub/schema.py declares for them as for the match-revealing ones.
    quota_methods: frozenset[str] = frozenset()

    @property
    def actor(self) -> Actor:
        actor = actor_from_request(self.request)
        assert actor is not None, "HasCapability admits only members"
        return actor

    def dispatch(self, request, *args, **kwargs):
        # The read or write and its audit row commit together, or neither does.
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)
