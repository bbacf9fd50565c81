"""Flatten and rebuild nested structures of tensors (lists, tuples, dicts).

Keras passes inputs and outputs around as arbitrary nests; these three helpers
are all the structure handling the package needs.
"""
from __future__ import annotations

from typing import Any, Callable


def flatten(structure: Any) -> list:
    """Leaves of a nest in a stable order (dicts by sorted key, like Keras)."""
    if isinstance(structure, (list, tuple)):
        out = []
        for item in structure:
            out.extend(flatten(item))
        return out
    if isinstance(structure, dict):
        out = []
        for key in sorted(structure):
            out.extend(flatten(structure[key]))
        return out
    return [structure]


def pack_sequence_as(structure: Any, flat: list) -> Any:
    """Inverse of :func:`flatten`: pour ``flat`` back into the shape of ``structure``."""
    return _rebuild(structure, iter(flat))


def _rebuild(s: Any, it) -> Any:
    # A module-level recursive function, not a closure: a self-referencing closure would form a
    # reference cycle holding the tensors until the garbage collector runs.
    if isinstance(s, (list, tuple)):
        items = [_rebuild(x, it) for x in s]
        return type(s)(items) if not hasattr(s, "_fields") else type(s)(*items)
    if isinstance(s, dict):
        values = {k: _rebuild(s[k], it) for k in sorted(s)}  # consume leaves in flatten's order
        return {k: values[k] for k in s}
    return next(it)


def map_structure(fn: Callable, structure: Any) -> Any:
    return pack_sequence_as(structure, [fn(x) for x in flatten(structure)])


def is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))
