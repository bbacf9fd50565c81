"""The identifier resolver: now in ``kerastorch._core.identifiers``.

Kept so that ``kerastorch.backend.identifiers`` imports keep working.
"""
from kerastorch._core.identifiers import (  # noqa: F401 - compatibility re-exports
    Identifiers,
)
