"""RFC 9162 §2.1 (= RFC 6962 §2.1) Merkle tree hashes, inclusion and consistency proofs, SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
# MTH({}) — RFC 9162 §2.1.1 defines the empty tree's hash as the hash of nothing.
EMPTY_ROOT = hashlib.sha256(b"").digest()
# Distinct prefixes stop a leaf from being passed off as an interior node (second-preimage attack).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(leaf: bytes) -> bytes:
    """Return the hash of one leaf: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(_LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH over the given leaf hashes (SHA-256 of nothing for an empty tree)."""
    return _subtree_root(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return PATH(index, D[size]) of RFC 9162 §2.1.3.1 over the first `size` leaf hashes."""
    _check_size(leaf_hashes, size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Descend from the root, keeping the sibling of the half that holds the leaf;
    # siblings cover disjoint ranges, so the whole walk hashes at most `size` leaves.
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            path.append(_subtree_root(leaf_hashes, mid, end))
            end = mid
        else:
            path.append(_subtree_root(leaf_hashes, start, mid))
            start = mid
    path.reverse()  # the RFC lists the path leaf-first
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], first: int, second: int) -> list[bytes]:
    """Return PROOF(first, D[second]) of RFC 9162 §2.1.4.1 (empty when first == second)."""
    _check_size(leaf_hashes, second)
    if not 0 < first <= second:
        raise ValueError(f"consistency needs 0 < first <= second, got first={first}, second={second}")
    path: list[bytes] = []
    start, end, m = 0, second, first
    known = True  # SUBPROOF's flag b: the verifier already holds MTH(D[start:start + m])
    # SUBPROOF unrolled: each step appends the sibling it would append after recursing.
    while m != end - start:
        mid = start + _split(end - start)
        if m <= mid - start:
            path.append(_subtree_root(leaf_hashes, mid, end))
            end = mid
        else:
            path.append(_subtree_root(leaf_hashes, start, mid))
            m -= mid - start
            start, known = mid, False
    if not known:
        path.append(_subtree_root(leaf_hashes, start, end))
    path.reverse()  # the recursion emits the deepest node first
    return path


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Check an inclusion proof with the RFC 9162 §2.1.3.2 algorithm."""
    if not 0 <= index < size:
        return False
    # A hash of the wrong width can only be garbage; without this, an empty leaf and root "match".
    if not _are_hashes([leaf_hash, root, *proof]):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False  # more proof than tree: leftover elements
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # skip levels where this node has no right sibling
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof with the RFC 9162 §2.1.4.2 algorithm."""
    # The RFC only defines 0 < first; a size-0 head commits to nothing, so even 0 -> 0 is refused.
    if first <= 0 or second < first:
        return False
    if first == second:
        # Nothing to prove: an empty proof and the same root. Roots are compared as given,
        # as transparency-dev does (its "sizes are equal (one)" probe uses 12-byte roots).
        return not proof and first_root == second_root
    if not proof or not _are_hashes([first_root, second_root, *proof]):
        return False
    # A power-of-two first tree is itself a node of the second, so the proof omits it.
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False  # leftover proof elements
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """Return MTH(D[start:end]) in linear time and logarithmic memory."""
    if start == end:
        return EMPTY_ROOT
    # Keep perfect subtrees of strictly decreasing size: after the c-th leaf, merge once
    # per trailing zero bit of c. Folding the rest right to left then splits at the
    # largest power of two below n at every level, exactly as the recursive MTH does.
    stack: list[bytes] = []
    for count, i in enumerate(range(start, end), start=1):
        h = leaf_hashes[i]
        while not count & 1:
            h = node_hash(stack.pop(), h)
            count >>= 1
        stack.append(h)
    root = stack.pop()
    while stack:
        root = node_hash(stack.pop(), root)
    return root


def _split(n: int) -> int:
    """Return k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(leaf_hashes: Sequence[bytes], size: int) -> None:
    """Raise ValueError unless `size` leaves are available."""
    if not 0 <= size <= len(leaf_hashes):
        raise ValueError(f"tree size {size} is outside 0..{len(leaf_hashes)} (the leaves given)")


def _are_hashes(values: Sequence[object]) -> bool:
    """Tell whether every value is a SHA-256-sized byte string."""
    return all(isinstance(v, (bytes, bytearray)) and len(v) == HASH_SIZE for v in values)
