"""The hub's audit log, for operators and auditors (API keys with the audit scope)."""

from __future__ import annotations

import urllib.parse

from hubctl.client.base import ClientBase


class AuditCalls(ClientBase):
    """Signed checkpoints and RFC 9162 proofs; hubctl.audit verifies what these return."""

    def audit_checkpoint_latest(self) -> dict:
        """The latest signed checkpoint: origin, size, root_hash (hex) and the signed note."""
        return self._call("GET", "/api/v1/audit/checkpoints/latest")

    def audit_inclusion_proof(self, index: int, size: int) -> dict:
        """Event `index` (0-based)'s leaf hash and RFC 9162 audit path in the tree of the first `size` events."""
        query = urllib.parse.urlencode({"index": index, "size": size})
        return self._call("GET", f"/api/v1/audit/proofs/inclusion?{query}")

    def audit_consistency_proof(self, first: int, second: int) -> dict:
        """The RFC 9162 consistency proof ("path") between the trees of sizes `first` and `second`."""
        query = urllib.parse.urlencode({"first": first, "second": second})
        return self._call("GET", f"/api/v1/audit/proofs/consistency?{query}")
