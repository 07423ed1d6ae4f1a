"""Identifier types and their deterministic normalisation to canonical strings."""

from sharing.identifiers.normalise import Canonical, IdentifierInvalid, normalise
from sharing.identifiers.types import IDENTIFIER_STRENGTH, NORMALISER_VERSION, IdentifierType, Strength

__all__ = [
    "IDENTIFIER_STRENGTH",
    "NORMALISER_VERSION",
    "Canonical",
    "IdentifierInvalid",
    "IdentifierType",
    "Strength",
    "normalise",
]
