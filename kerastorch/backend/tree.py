"""Nest helpers: now in ``kerastorch._core.tree``.

Kept so that ``kerastorch.backend.tree`` imports keep working.
"""
from kerastorch._core.tree import (  # noqa: F401 - compatibility re-exports
    flatten, pack_sequence_as, map_structure, is_nested,
)
