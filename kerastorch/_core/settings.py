"""The ``keras.config`` switches beyond floatx/epsilon/image layout.

Each is a process-wide value with Keras's default and Keras's environment variable.
What reads them: ``max_epochs``/``max_steps_per_epoch`` are for the training loop to cap
``fit`` (as Keras's trainers do); ``is_interactive_logging_enabled`` for progress output;
``is_flash_attention_enabled`` for attention layers (None = "use it where possible", Keras's
default); traceback filtering is a switch only, since kerastorch does not rewrite
tracebacks (its errors are raised where they happen).
"""
from __future__ import annotations

import os

_MAX_EPOCHS: int | None = int(os.environ["KERAS_MAX_EPOCHS"]) if os.environ.get("KERAS_MAX_EPOCHS") else None
_MAX_STEPS_PER_EPOCH: int | None = (int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"])
                                    if os.environ.get("KERAS_MAX_STEPS_PER_EPOCH") else None)
_INTERACTIVE_LOGGING = True
_TRACEBACK_FILTERING = True
_FLASH_ATTENTION: bool | None = None


def _positive_int_or_none(value: int | None, argument: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{argument}` must be a positive integer or None. Received: {argument}={value!r}")
    return value


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every ``fit`` call (None: no cap)."""
    global _MAX_EPOCHS
    _MAX_EPOCHS = _positive_int_or_none(max_epochs, "max_epochs")


def max_epochs() -> int | None:
    """The epoch cap set by ``set_max_epochs`` or ``KERAS_MAX_EPOCHS``, else None."""
    return _MAX_EPOCHS


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the number of steps per epoch of every fit/evaluate/predict call (None: no cap)."""
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = _positive_int_or_none(max_steps_per_epoch, "max_steps_per_epoch")


def max_steps_per_epoch() -> int | None:
    """The step cap set by ``set_max_steps_per_epoch`` or ``KERAS_MAX_STEPS_PER_EPOCH``, else None."""
    return _MAX_STEPS_PER_EPOCH


def enable_interactive_logging() -> None:
    """Progress bars and messages go to stdout (the default)."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = True


def disable_interactive_logging() -> None:
    """Progress output goes to Python's ``logging`` instead of stdout."""
    global _INTERACTIVE_LOGGING
    _INTERACTIVE_LOGGING = False


def is_interactive_logging_enabled() -> bool:
    return _INTERACTIVE_LOGGING


def enable_traceback_filtering() -> None:
    """Keras's switch; kerastorch raises errors where they happen, so there is nothing to filter."""
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = True


def disable_traceback_filtering() -> None:
    global _TRACEBACK_FILTERING
    _TRACEBACK_FILTERING = False


def is_traceback_filtering_enabled() -> bool:
    return _TRACEBACK_FILTERING


def enable_flash_attention() -> None:
    """Let attention layers use fused (flash) attention where the inputs allow (the default)."""
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = None


def disable_flash_attention() -> None:
    global _FLASH_ATTENTION
    _FLASH_ATTENTION = False


def is_flash_attention_enabled() -> bool | None:
    """False when disabled; None (Keras's default) means "use it where possible"."""
    return _FLASH_ATTENTION


def is_nnx_enabled() -> bool:
    """Flax NNX integration is part of Keras's JAX backend; never enabled on torch."""
    return False


def set_backend(backend: str) -> None:
    """Keras reloads itself on another backend; kerastorch is the torch backend only."""
    if backend != "torch":
        raise ValueError(f"kerastorch runs Keras programs on PyTorch only, so the backend cannot be set to "
                         f"{backend!r}. Received: backend={backend!r}. Use real Keras "
                         f"(`KERAS_BACKEND={backend} python ...`) for that backend.")


# Loading code from files (Lambda bytecode, vocabulary paths outside an archive) is refused unless the
# user opts in; the switch sits here, below every package that checks it.
_UNSAFE_DESERIALIZATION = [False]


def enable_unsafe_deserialization() -> None:
    """Allow loading Python bytecode (lambdas) everywhere, like ``keras.config.enable_unsafe_deserialization``."""
    _UNSAFE_DESERIALIZATION[0] = True


def unsafe_deserialization_enabled() -> bool:
    return _UNSAFE_DESERIALIZATION[0]
