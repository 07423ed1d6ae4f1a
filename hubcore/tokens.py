"""The OPRF input of an identifier token, defined once for the hub and hubctl.

A token is the RFC 9497 OPRF output of type ‖ 0x00 ‖ canonical value (UTF-8). The hub
evaluates it directly on raw identifiers and hubctl blinds the very same bytes, so both
must build them with this function or their tokens would never match.
"""

from __future__ import annotations


def token_input(*, identifier_type: str, canonical: str) -> bytes:
    """type ‖ 0x00 ‖ canonical value: the type's value cannot contain 0x00, so the split is unambiguous."""
    return str(identifier_type).encode() + b"\x00" + canonical.encode("utf-8")
