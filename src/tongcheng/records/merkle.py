"""RFC 6962 Merkle hashing: the tree Certificate Transparency logs use, here over decision records.

Ported from google/certificate-transparency's ``python/ct/crypto/merkle.py`` (Python 2, strings)
to bytes: a leaf hashes as H(0x00 ‖ data), a node as H(0x01 ‖ left ‖ right), the empty tree as
H(""). A tree of n leaves splits at the largest power of two below n, so a tree only ever grows
on the right and an older tree's root is a function of a prefix of the leaves: a tree head (size,
root) signed once commits to every record before it, and any record altered, removed or moved
afterwards changes the root recomputed from the log.

``CompactTree`` keeps one hash per set bit of the size (the roots of the full subtrees, largest
first), so sealing a batch of new records needs only the previous head's hashes, never the whole
log: writers append records without waiting on anything, and the sealer alone extends the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["CompactTree", "hash_children", "hash_empty", "hash_leaf", "root_of"]


def hash_empty() -> bytes:
    return hashlib.sha256(b"").digest()


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _full(leaf_hashes: Sequence[bytes], lo: int, hi: int) -> tuple[bytes, tuple[bytes, ...]]:
    """Root of the leaves ``[lo, hi)`` as a whole tree, and the roots of its full subtrees
    (largest first). ``leaf_hashes`` are already hashed with :func:`hash_leaf`."""
    width = hi - lo
    if width < 0 or lo < 0 or hi > len(leaf_hashes):
        raise IndexError(f"{lo},{hi} is not a range over [0,{len(leaf_hashes)}]")
    if width == 0:
        return hash_empty(), ()
    if width == 1:
        return leaf_hashes[lo], (leaf_hashes[lo],)
    split = 1 << ((width - 1).bit_length() - 1)  # the largest power of two below width
    left, _ = _full(leaf_hashes, lo, lo + split)
    right, right_subtrees = _full(leaf_hashes, lo + split, hi)
    root = hash_children(left, right)
    return root, ((root,) if split * 2 == width else (left, *right_subtrees))


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of a whole tree of (hashed) leaves."""
    return _full(leaf_hashes, 0, len(leaf_hashes))[0]


def _fold(subtrees: Sequence[bytes]) -> bytes:
    acc = subtrees[-1]
    for h in reversed(subtrees[:-1]):
        acc = hash_children(h, acc)
    return acc


class CompactTree:
    """A Merkle tree that can only grow, kept as the roots of its full subtrees.

    ``size`` leaves, ``subtrees`` one hash per set bit of ``size``, largest first (what a tree
    head stores so the next sealing can go on from it).
    """

    def __init__(self, size: int = 0, subtrees: Sequence[bytes] = ()) -> None:
        if len(subtrees) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} full subtrees, "
                             f"not {len(subtrees)}")
        self.size = size
        self.subtrees: tuple[bytes, ...] = tuple(subtrees)

    def root(self) -> bytes:
        return _fold(self.subtrees) if self.subtrees else hash_empty()

    def _smallest(self) -> int:
        """Leaves in the smallest full subtree (0 for the empty tree)."""
        return self.size & -self.size

    def _push(self, subtree_size: int, subtree_root: bytes) -> None:
        # Adding a full subtree the size of the smallest one is a carry: merge and push again.
        while self.size and subtree_size == self._smallest():
            subtree_root = hash_children(self.subtrees[-1], subtree_root)
            self.size -= subtree_size
            self.subtrees = self.subtrees[:-1]
            subtree_size *= 2
        self.size += subtree_size
        self.subtrees = (*self.subtrees, subtree_root)

    def extend(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append already hashed leaves on the right."""
        i, n = 0, len(leaf_hashes)
        # full subtrees no larger than the current smallest one keep the order of sizes
        while self.size and n - i >= self._smallest():
            step = self._smallest()
            root, _ = _full(leaf_hashes, i, i + step)
            self._push(step, root)
            i += step
        if i < n:  # the rest fits below the smallest subtree: hash it as one tree
            _, subtrees = _full(leaf_hashes, i, n)
            self.size += n - i
            self.subtrees = (*self.subtrees, *subtrees)

    def append(self, leaf_hash: bytes) -> None:
        self.extend([leaf_hash])

    def copy(self) -> CompactTree:
        return CompactTree(self.size, self.subtrees)
