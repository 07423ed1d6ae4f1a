"""Identifier types and their deterministic normalisation to canonical strings."""

from hubcore.identifiers.normalise import Canonical, IdentifierInvalid, normalise
from hubcore.identifiers.types import IDENTIFIER_STRENGTH, NORMALISER_VERSION, IdentifierType, Strength

__all__ = [
    "IDENTIFIER_STRENGTH",
    "NORMALISER_VERSION",
    "Canonical",
    "IdentifierInvalid",
    "IdentifierType",
    "Strength",
    "normalise",
]
