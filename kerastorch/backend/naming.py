"""Auto-names and snake_case: now in ``kerastorch._core.naming``.

Kept so that ``kerastorch.backend.naming`` imports keep working.
"""
from kerastorch._core.naming import (  # noqa: F401 - compatibility re-exports
    auto_name,
    reset_uids,
    to_snake_case,
)
