"""``keras.tree``: nested-structure utilities with Keras 3's rules, on torch's pytree.

Keras's torch backend builds ``keras.tree`` on ``torch.utils._pytree``; using the same
registry here means the same containers are nests (list, tuple, namedtuple, dict,
OrderedDict, defaultdict, deque and any type registered with torch), ``None`` is a leaf,
and plain dicts are visited in sorted-key order while OrderedDicts keep theirs.
One deliberate difference: Keras 3.15's torch implementation sorts only the outermost plain
dict on each path (its traversal stops at the first dict); here every plain dict is sorted,
as Keras documents and as its optree-based backends do. The two agree whenever nested
dicts are already in sorted-key order.
(``kerastorch.backend.tree`` is the package's internal, faster helper for its own nests.)
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from torch.utils import _pytree as pytree


class MAP_TO_NONE:
    """Return this from a ``traverse`` function to replace a sub-tree with ``None``."""


def _is_leaf(structure: Any) -> bool:
    return pytree._get_node_type(structure) not in pytree.SUPPORTED_NODES


def _sorted_dicts(structure: Any) -> Any:
    """A copy in which every plain dict / defaultdict has its keys in sorted order."""
    if type(structure) is dict:
        return {k: _sorted_dicts(structure[k]) for k in sorted(structure)}
    if type(structure) is defaultdict:
        return defaultdict(structure.default_factory, {k: _sorted_dicts(structure[k]) for k in sorted(structure)})
    if _is_leaf(structure):
        return structure
    children, spec = pytree.tree_flatten(structure, is_leaf=lambda x: x is not structure)
    return pytree.tree_unflatten([_sorted_dicts(c) for c in children], spec)


def _children(structure: Any) -> tuple[list, Any]:
    return pytree.tree_flatten(structure, is_leaf=lambda x: x is not structure)


class _FromFunc(Exception):
    """Carries an exception raised by the user's function through ``pytree.tree_map`` untouched."""


def _tree_map(func: Callable, *structures: Any) -> Any:
    """``pytree.tree_map`` whose layout-mismatch error names the structures (still a ValueError).

    Only pytree's own mismatch errors are reworded; what ``func`` raises propagates as is.
    """
    def guarded(*leaves: Any) -> Any:
        try:
            return func(*leaves)
        except Exception as error:
            raise _FromFunc() from error

    try:
        return pytree.tree_map(guarded, *structures)
    except _FromFunc as carrier:
        raise carrier.__cause__ from None
    except ValueError as error:
        raise ValueError(f"Structures don't have the same nested structure: {error} Received: "
                         + ", ".join(repr(s) for s in structures)[:500]) from error


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a container the tree functions descend into."""
    return not _is_leaf(structure)


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Apply ``func`` to every sub-tree, depth first.

    Top down, a non-None result replaces the sub-tree and stops the descent; bottom up, it
    replaces the already-traversed sub-tree. ``MAP_TO_NONE`` stands for a ``None`` result.
    """
    structure = _sorted_dicts(structure)

    def walk_children(node: Any) -> Any:
        if _is_leaf(node):
            return node
        children, spec = _children(node)
        return pytree.tree_unflatten([traverse(func, c, top_down=top_down) for c in children], spec)

    if top_down:
        result = func(structure)
        if result is None:
            return walk_children(structure)
    else:
        structure = walk_children(structure)
        result = func(structure)
        if result is None:
            return structure
    return None if result is MAP_TO_NONE else result


def flatten(structure: Any) -> list:
    """The leaves, dicts by sorted key: ``flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]``."""
    if _is_leaf(structure):
        return [structure]
    leaves, _ = pytree.tree_flatten(_sorted_dicts(structure))
    return leaves


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs; a path holds sequence indices, dict keys and namedtuple field indices."""
    with_path, _ = pytree.tree_flatten_with_path(_sorted_dicts(structure))
    # Attribute keys (dataclass-like nodes) become indices into their sorted field names, as in Keras.
    fields = sorted({k.name for keys, _ in with_path for k in keys if isinstance(k, pytree.GetAttrKey)})
    index = {name: i for i, name in enumerate(fields)}
    results = []
    for keys, leaf in with_path:
        path = []
        for key in keys:
            if isinstance(key, pytree.SequenceKey):
                path.append(key.idx)
            elif isinstance(key, pytree.MappingKey):
                path.append(key.key)
            elif isinstance(key, pytree.GetAttrKey):
                path.append(index[key.name])
        results.append((tuple(path), leaf))
    return results


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """``func`` applied leaf-wise across structures of the same layout."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    if len(structures) == 1 and _is_leaf(structures[0]):
        if structures[0] is None and not none_is_leaf:
            return None
        return func(structures[0])
    mapped = func
    if not none_is_leaf:
        def mapped(*leaves: Any) -> Any:
            if leaves[0] is None:
                if not all(leaf is None for leaf in leaves):
                    raise ValueError("Structure mismatch: some arguments are None, others are not. "
                                     f"Received arguments: {leaves}.")
                return None
            return func(*leaves)
    return _tree_map(mapped, *structures)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any) -> Any:
    """Like ``map_structure`` but only down to the leaves of ``shallow_structure``."""
    if not structures:
        raise ValueError("Must provide at least one structure")

    def apply(shallow: Any, *leaves: Any) -> Any:
        if not _is_leaf(shallow):
            raise ValueError("Structures don't have the same nested structure.")
        return func(*leaves)

    return _tree_map(apply, shallow_structure, *structures)


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raise ValueError unless ``a`` and ``b`` nest the same containers the same way."""
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect"
                      + (", please remove." if check_types else ". For a looser check, use "
                         "`keras.tree.assert_same_paths()`, which considers `list`, `tuple`, `namedtuple` "
                         "and `deque` as matching"), DeprecationWarning, stacklevel=2)

    def check(a_leaf: Any, b_leaf: Any) -> None:
        if not _is_leaf(a_leaf) or not _is_leaf(b_leaf):
            raise ValueError("Structures don't have the same nested structure.")

    _tree_map(check, a, b)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same leaf paths (container types may differ)."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """Pour ``flat_sequence`` into the layout of ``structure`` (inverse of ``flatten``)."""
    _, spec = pytree.tree_flatten(_sorted_dicts(structure))
    return pytree.tree_unflatten(list(flat_sequence), spec)


def lists_to_tuples(structure: Any) -> Any:
    """The same structure with every list turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure, top_down=False)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """``func`` applied to every shape tuple (a list/tuple of ints and Nones) in ``structure``."""
    def is_shape(x: Any) -> bool:
        return isinstance(x, (list, tuple)) and all(isinstance(e, (int, type(None))) for e in x)

    return pytree.tree_map(func, _sorted_dicts(structure), is_leaf=is_shape)
