"""RFC 9162 Merkle tree: transparency-dev vectors and golden probes, proofs round-tripping, tampering."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubcore.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

SUITE = json.loads((Path(__file__).parents[1] / "vectors" / "rfc9162_merkle.json").read_text())
LEAF_HASHES = [leaf_hash(bytes.fromhex(data)) for data in SUITE["leaf_inputs_hex"]]
ROOTS = sorted((int(size), bytes.fromhex(root)) for size, root in SUITE["root_by_tree_size_hex"].items())
SUBTREE_NODES = [
    (level, index, bytes.fromhex(node))
    for level, nodes in enumerate(SUITE["complete_subtree_node_hashes_hex_by_level"])
    for index, node in enumerate(nodes)
]
INCLUSION_PROBES = SUITE["golden_probes"]["inclusion"]
CONSISTENCY_PROBES = SUITE["golden_probes"]["consistency"]


def _b(vector: dict, field: str) -> bytes:
    return bytes.fromhex(vector[field])


def _proof(vector: dict) -> list[bytes]:
    return [bytes.fromhex(node) for node in vector["proof_hex"]]


def _probe_id(probe: dict) -> str:
    return probe["file"].removeprefix("testdata/").removesuffix(".json")


def _flip_bit(proof: list[bytes], seed: int) -> list[bytes]:
    """Copy `proof` with one bit flipped, the element and bit chosen by `seed`."""
    element, bit = seed % len(proof), (seed // len(proof)) % 256
    tampered = bytearray(proof[element])
    tampered[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:element], bytes(tampered), *proof[element + 1 :]]


def _reference_mth(hashes: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 §2.1.1 writes it: recursive, split at the largest power of two < n."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(_reference_mth(hashes[:k]), _reference_mth(hashes[k:]))


def _reference_path(m: int, hashes: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 writes it."""
    if len(hashes) == 1:
        return []
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m < k:
        return _reference_path(m, hashes[:k]) + [_reference_mth(hashes[k:])]
    return _reference_path(m - k, hashes[k:]) + [_reference_mth(hashes[:k])]


def _reference_subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 writes it."""
    if m == len(hashes):
        return [] if complete else [_reference_mth(hashes)]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m <= k:
        return _reference_subproof(m, hashes[:k], complete) + [_reference_mth(hashes[k:])]
    return _reference_subproof(m - k, hashes[k:], False) + [_reference_mth(hashes[:k])]


def _synthetic_leaves(count: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


def test_the_vector_file_is_the_complete_transparency_dev_suite():
    agreement = SUITE["golden_probe_agreement"]

    assert SUITE["hash"] == "SHA-256"
    assert len(LEAF_HASHES) == 8 and len(ROOTS) == 9 and len(SUBTREE_NODES) == 15
    assert len(SUITE["inclusion_proofs"]) == 5 and len(SUITE["consistency_proofs"]) == 5
    assert len(INCLUSION_PROBES) == agreement["inclusion"]["agree"] + agreement["inclusion"]["disagree"]
    assert len(CONSISTENCY_PROBES) == agreement["consistency"]["agree"] + agreement["consistency"]["disagree"]


@pytest.mark.parametrize(
    "vector", SUITE["hasher_vectors"], ids=[f"{i}-{v['op']}" for i, v in enumerate(SUITE["hasher_vectors"])]
)
def test_hasher_matches_the_vector(vector):
    compute = {
        "empty_root": lambda: root_from_leaf_hashes([]),
        "leaf": lambda: leaf_hash(bytes.fromhex(vector.get("input_hex", ""))),
        "node": lambda: node_hash(
            bytes.fromhex(vector.get("left_hex", "")), bytes.fromhex(vector.get("right_hex", ""))
        ),
    }[vector["op"]]

    digest = compute()

    assert digest == _b(vector, "want_hex")


def test_the_empty_tree_hash_is_sha256_of_nothing():
    root = root_from_leaf_hashes([])

    assert root == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize(("size", "expected"), ROOTS, ids=[f"size-{size}" for size, _ in ROOTS])
def test_root_matches_the_vector_for_each_tree_size(size, expected):
    leaves = LEAF_HASHES[:size]

    root = root_from_leaf_hashes(leaves)

    assert root == expected


@pytest.mark.parametrize(
    ("level", "index", "expected"), SUBTREE_NODES, ids=[f"level{lv}-node{i}" for lv, i, _ in SUBTREE_NODES]
)
def test_each_complete_subtree_hash_matches_the_vector(level, index, expected):
    width = 1 << level
    leaves = LEAF_HASHES[index * width : (index + 1) * width]

    root = root_from_leaf_hashes(leaves)

    assert root == expected


@pytest.mark.parametrize(
    "vector",
    SUITE["inclusion_proofs"],
    ids=[f"leaf{v['leaf_index_0based']}-of-{v['tree_size']}" for v in SUITE["inclusion_proofs"]],
)
def test_inclusion_proof_is_generated_as_in_the_vector_and_verifies(vector):
    index, size, root = vector["leaf_index_0based"], vector["tree_size"], _b(vector, "root_hex")
    leaf = _b(vector, "leaf_hash_hex")

    generated = inclusion_proof(LEAF_HASHES, index, size)
    valid = verify_inclusion(leaf, index, size, _proof(vector), root)

    assert leaf == leaf_hash(_b(vector, "leaf_input_hex")) == LEAF_HASHES[index]
    assert root == root_from_leaf_hashes(LEAF_HASHES[:size])
    assert generated == _proof(vector)
    assert valid is vector["want_valid"]


@pytest.mark.parametrize(
    "vector",
    SUITE["consistency_proofs"],
    ids=[f"{v['size1']}-to-{v['size2']}" for v in SUITE["consistency_proofs"]],
)
def test_consistency_proof_is_generated_as_in_the_vector_and_verifies(vector):
    first, second = vector["size1"], vector["size2"]
    first_root, second_root = _b(vector, "root1_hex"), _b(vector, "root2_hex")

    generated = consistency_proof(LEAF_HASHES, first, second)
    valid = verify_consistency(first, second, first_root, second_root, _proof(vector))

    assert first_root == root_from_leaf_hashes(LEAF_HASHES[:first])
    assert second_root == root_from_leaf_hashes(LEAF_HASHES[:second])
    assert generated == _proof(vector)
    assert valid is vector["want_valid"]


@pytest.mark.parametrize("probe", INCLUSION_PROBES, ids=[_probe_id(p) for p in INCLUSION_PROBES])
def test_inclusion_golden_probe(probe):
    leaf, root = _b(probe, "leaf_hash_hex"), _b(probe, "root_hex")

    valid = verify_inclusion(leaf, probe["leaf_index_0based"], probe["tree_size"], _proof(probe), root)

    assert valid is not probe["want_error"]


@pytest.mark.parametrize("probe", CONSISTENCY_PROBES, ids=[_probe_id(p) for p in CONSISTENCY_PROBES])
def test_consistency_golden_probe(probe):
    first_root, second_root = _b(probe, "root1_hex"), _b(probe, "root2_hex")

    valid = verify_consistency(probe["size1"], probe["size2"], first_root, second_root, _proof(probe))

    assert valid is not probe["want_error"]


def test_a_tree_head_is_consistent_with_itself_but_an_empty_tree_is_consistent_with_nothing():
    root_of_one = LEAF_HASHES[0]

    same_head = verify_consistency(1, 1, root_of_one, root_of_one, [])
    empty_to_empty = verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    empty_to_one = verify_consistency(0, 1, EMPTY_ROOT, root_of_one, [])

    assert same_head is True
    assert empty_to_empty is False and empty_to_one is False


def test_proofs_within_a_tree_head_need_no_nodes():
    leaves = LEAF_HASHES[:1]

    inclusion = inclusion_proof(leaves, 0, 1)
    consistency = consistency_proof(LEAF_HASHES, 5, 5)

    assert inclusion == [] and consistency == []


@pytest.mark.parametrize(
    ("index", "size", "message"),
    [
        (0, 0, "outside a tree of size 0"),
        (8, 8, "outside a tree of size 8"),
        (-1, 8, "outside a tree of size 8"),
        (0, 9, "tree size 9 is outside 0..8"),
        (0, -1, "tree size -1 is outside 0..8"),
    ],
    ids=["empty-tree", "index-equals-size", "negative-index", "size-beyond-leaves", "negative-size"],
)
def test_inclusion_proof_refuses_out_of_range_arguments(index, size, message):
    leaves = LEAF_HASHES

    with pytest.raises(ValueError, match=message):
        inclusion_proof(leaves, index, size)


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (0, 8, "0 < first <= second"),
        (0, 0, "0 < first <= second"),
        (5, 4, "0 < first <= second"),
        (-1, 3, "0 < first <= second"),
        (1, 9, "tree size 9 is outside 0..8"),
    ],
    ids=["from-empty", "empty-to-empty", "shrinking", "negative-first", "second-beyond-leaves"],
)
def test_consistency_proof_refuses_out_of_range_arguments(first, second, message):
    leaves = LEAF_HASHES

    with pytest.raises(ValueError, match=message):
        consistency_proof(leaves, first, second)


def test_verifiers_reject_hashes_of_the_wrong_width():
    root = root_from_leaf_hashes(LEAF_HASHES[:2])
    proof = inclusion_proof(LEAF_HASHES, 0, 2)

    short_leaf = verify_inclusion(LEAF_HASHES[0][:31], 0, 2, proof, root)
    long_proof_node = verify_inclusion(LEAF_HASHES[0], 0, 2, [proof[0] + b"\x00"], root)
    short_second_root = verify_consistency(
        1, 2, LEAF_HASHES[0], root[:31], consistency_proof(LEAF_HASHES, 1, 2)
    )

    assert short_leaf is False and long_proof_node is False and short_second_root is False


def test_root_of_100k_leaves_matches_the_recursive_definition():
    leaves = _synthetic_leaves(100_000)

    root = root_from_leaf_hashes(leaves)

    assert root == _reference_mth(leaves)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_generated_proofs_equal_the_rfc_recursive_definitions(data):
    size = data.draw(st.integers(1, 64), label="size")
    leaves = _synthetic_leaves(size)
    index = data.draw(st.integers(0, size - 1), label="index")
    first = data.draw(st.integers(1, size), label="first")

    root = root_from_leaf_hashes(leaves)
    path = inclusion_proof(leaves, index, size)
    proof = consistency_proof(leaves, first, size)

    assert root == _reference_mth(leaves)
    assert path == _reference_path(index, leaves)
    assert proof == _reference_subproof(first, leaves, True)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_every_generated_proof_verifies_and_one_flipped_bit_breaks_it(size, seed):
    leaves = _synthetic_leaves(size)
    roots = [root_from_leaf_hashes(leaves[:n]) for n in range(size + 1)]
    inclusion = {index: inclusion_proof(leaves, index, size) for index in range(size)}
    consistency = {first: consistency_proof(leaves, first, size) for first in range(1, size + 1)}

    included = [verify_inclusion(leaves[i], i, size, proof, roots[size]) for i, proof in inclusion.items()]
    consistent = [
        verify_consistency(m, size, roots[m], roots[size], proof) for m, proof in consistency.items()
    ]
    tampered_included = [
        verify_inclusion(leaves[i], i, size, _flip_bit(proof, seed), roots[size])
        for i, proof in inclusion.items()
        if proof
    ]
    tampered_consistent = [
        verify_consistency(m, size, roots[m], roots[size], _flip_bit(proof, seed))
        for m, proof in consistency.items()
        if proof
    ]

    assert all(included) and all(consistent)
    assert not any(tampered_included) and not any(tampered_consistent)
    assert len(tampered_included) == (size if size > 1 else 0)
    assert len(tampered_consistent) == size - 1
