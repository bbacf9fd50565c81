"""``keras.models``: model classes and whole-model loading."""
from kerastorch.layers.serialization import register_builtin_class
from kerastorch.models.cloning import clone_model
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]

# Configs name these classes; "Model" in a config means a functional model (as in Keras).
register_builtin_class(Sequential)
register_builtin_class(Functional, "Model")

_SAVING_FUNCTIONS = ("load_model", "model_from_json", "save_model")


def __getattr__(name):
    # keras.models.load_model & co. live in kerastorch.saving (imported on first use).
    if name in _SAVING_FUNCTIONS:
        from kerastorch import saving  # local import: saving sits above models (it rebuilds them)
        return getattr(saving, name)
    raise AttributeError(f"module 'kerastorch.models' has no attribute {name!r}")
