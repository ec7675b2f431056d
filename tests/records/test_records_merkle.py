"""RFC 6962 hashing against Certificate Transparency's own test vectors
(google/certificate-transparency python/ct/crypto/merkle_test.py), and the compact tree against
the whole-tree hash for every size and every split of the leaves."""

from __future__ import annotations

import hashlib

import pytest

from tongcheng.records import merkle

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
LEAVES = [("", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
          ("101112131415161718191a1b1c1d1e1f",
           "3bfb960453ebaebf33727da7a1f4db38acc051d381b6da20d6d4e88f0eabfd7a")]
NODE = ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        "1a378704c17da31e2d05b6d121c2bb2c7d76f6ee6fa8f983e596c2d034963c57")
VECTOR = [bytes.fromhex(s.replace(" ", "")) for s in [
    "", "00", "10", "20 21", "30 31", "40 41 42 43", "50 51 52 53 54 55 56 57",
    "60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f"]]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def test_hashes_of_the_empty_tree_leaves_and_nodes():
    assert merkle.hash_empty().hex() == EMPTY
    for data, expected in LEAVES:
        assert merkle.hash_leaf(bytes.fromhex(data)).hex() == expected
    left, right, expected = NODE
    assert merkle.hash_children(bytes.fromhex(left), bytes.fromhex(right)).hex() == expected


def test_roots_of_the_test_vector():
    hashed = [merkle.hash_leaf(d) for d in VECTOR]
    assert merkle.root_of([]) == merkle.hash_empty()
    for size, expected in enumerate(ROOTS, start=1):
        assert merkle.root_of(hashed[:size]).hex() == expected
        tree = merkle.CompactTree()
        tree.extend(hashed[:size])
        assert tree.root().hex() == expected
        assert len(tree.subtrees) == size.bit_count()


def test_five_leaves_split_at_four():
    h = merkle.hash_children
    leaves = [merkle.hash_leaf(c.encode()) for c in "abcde"]
    assert merkle.root_of(leaves) == h(h(h(leaves[0], leaves[1]), h(leaves[2], leaves[3])),
                                       leaves[4])


@pytest.mark.parametrize("total", [1, 2, 3, 7, 8, 9, 31, 33, 100])
def test_compact_tree_extended_in_any_steps_equals_the_whole_tree(total):
    leaves = [merkle.hash_leaf(hashlib.sha256(bytes([k % 256, k // 256])).digest())
              for k in range(total)]
    for first in range(total + 1):
        for step in (1, 3, 16):
            tree = merkle.CompactTree()
            tree.extend(leaves[:first])
            k = first
            while k < total:
                tree.extend(leaves[k:k + step])
                k += step
                assert tree.root() == merkle.root_of(leaves[:min(k, total)])
            resumed = merkle.CompactTree(tree.size, tree.subtrees)
            assert resumed.root() == merkle.root_of(leaves)


def test_a_tree_head_with_the_wrong_number_of_subtrees_is_refused():
    with pytest.raises(ValueError, match="full subtrees"):
        merkle.CompactTree(3, [merkle.hash_empty()])
