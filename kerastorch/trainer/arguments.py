"""Checks of the numeric arguments of ``fit`` / ``evaluate`` / ``predict``, with Keras-style messages.

Keras 3 checks few of them (``batch_size=-1`` raises ``ValueError``; ``batch_size=0``,
``steps_per_epoch=0`` or ``epochs=-1`` train nothing, or train silently with a default). Here
every one is checked before any work starts, so a typo fails at once and says what was
received and what is expected. Exception types follow Keras where it raises: ``ValueError``
for a value out of range (also for a float batch size, as Keras does), ``TypeError`` for a
value of the wrong kind (a string batch size, a float epoch count).
"""
from __future__ import annotations

import numbers
from typing import Any

_VERBOSE = ("auto", 0, 1, 2)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(name: str, value: Any, *, allow_none: bool = True, what: str = "") -> None:
    """``value`` must be an integer >= 1 (or None when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, (str, bytes)) or not isinstance(value, numbers.Number):
        raise TypeError(f"`{name}` must be a positive integer{' or None' if allow_none else ''}{what}. "
                        f"Received: {name}={value!r} of type {type(value).__name__}")
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer{' or None' if allow_none else ''}{what}. "
                         f"Received: {name}={value!r}")


def check_non_negative_int(name: str, value: Any) -> None:
    """``value`` must be an integer >= 0 (``epochs``, ``initial_epoch``)."""
    if not _is_int(value):
        raise TypeError(f"`{name}` must be an integer >= 0. Received: {name}={value!r} of type "
                        f"{type(value).__name__}")
    if value < 0:
        raise ValueError(f"`{name}` must be an integer >= 0. Received: {name}={value!r}")


def check_steps(name: str, value: Any) -> None:
    """``steps_per_epoch`` / ``validation_steps`` / ``steps``: None (all the data) or an integer >= 1."""
    check_positive_int(name, value, what=" (the number of batches; None uses all the data)")


def check_validation_freq(value: Any) -> None:
    """An integer >= 1 (validate every ``value`` epochs) or a list of 1-based epoch numbers."""
    if isinstance(value, (list, tuple, set, frozenset)):
        bad = [v for v in value if not _is_int(v) or v < 1]
        if bad:
            raise ValueError("`validation_freq` as a list must hold 1-based epoch numbers (integers >= 1). "
                             f"Received: validation_freq={value!r}")
        return
    if not _is_int(value):
        raise ValueError("Expected `validation_freq` to be a list or int. Received: "
                         f"validation_freq={value!r} of the type {type(value)}.")
    if value < 1:
        raise ValueError("`validation_freq` must be an integer >= 1 (validate every N epochs) or a list of "
                         f"epoch numbers. Received: validation_freq={value!r}")


def check_verbose(value: Any) -> int:
    """``"auto"``, 0 (silent), 1 (progress bar) or 2 (one line per epoch); returns the resolved level."""
    if value == "auto" and isinstance(value, str):
        return 1
    if isinstance(value, bool):
        return int(value)
    if _is_int(value) and value in (0, 1, 2):
        return int(value)
    raise ValueError(f'`verbose` must be "auto", 0 (silent), 1 (progress bar) or 2 (one line per epoch). '
                     f"Received: verbose={value!r}")


def check_fit_arguments(batch_size, epochs, verbose, initial_epoch, steps_per_epoch, validation_steps,
                        validation_batch_size, validation_freq) -> None:
    check_positive_int("batch_size", batch_size)
    check_non_negative_int("epochs", epochs)
    check_verbose(verbose)
    check_non_negative_int("initial_epoch", initial_epoch)
    check_steps("steps_per_epoch", steps_per_epoch)
    check_steps("validation_steps", validation_steps)
    check_positive_int("validation_batch_size", validation_batch_size)
    check_validation_freq(validation_freq)


def check_unknown_kwargs(what: str, kwargs: dict, valid: tuple[str, ...]) -> None:
    """Drop the Keras 2 data-loading arguments (no meaning here); reject anything else, listing the valid names."""
    for legacy in ("workers", "use_multiprocessing", "max_queue_size"):
        kwargs.pop(legacy, None)
    if kwargs:
        raise TypeError(f"Invalid keyword argument(s) in `{what}()`: {sorted(kwargs)}. Valid arguments: "
                        f"{', '.join(valid)}.")
