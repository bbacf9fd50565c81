"""Nest helpers: now in ``kerastorch._core.tree``.

Kept so that ``kerastorch.backend.tree`` imports keep working.
"""
from kerastorch._core.tree import (  # noqa: F401 - compatibility re-exports
    flatten,
    is_nested,
    map_structure,
    pack_sequence_as,
)
