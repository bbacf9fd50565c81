"""kerastorch defaults and their Keras switches: now in ``kerastorch._core.defaults``.

Kept so that ``kerastorch.backend.defaults`` imports keep working.
"""
from kerastorch._core.defaults import (  # noqa: F401 - compatibility re-exports
    get,
    set,
    use_keras_defaults,
)
