"""The per-thread context of a layer call, and the context an error raised inside one gains.

``Layer.forward`` resolves the ``training`` flag where a model (or any layer whose ``call`` takes
``training``) is called and pushes it onto ``CALL_STATE.training``; nested layers read the top.
Where nothing set it, ``training_when_unset`` decides (the module's train/eval mode, or Keras's
None under a switch). ``build_device_scope`` tells layers built inside where to create their
weights. Both are thread-local, so threads such as ``nn.DataParallel`` replicas do not share them.
An exception raised inside ``call`` keeps its type and gains a note naming the layer and its input
shapes (``with_call_context``, Keras's ``inject_argument_info_in_traceback``).
"""
from __future__ import annotations

import contextlib
import sys
import threading
from typing import TYPE_CHECKING

import torch

from kerastorch._core import defaults, tree

if TYPE_CHECKING:
    from kerastorch.layers.layer import Layer


class _CallState(threading.local):
    """Per-thread call context (threads such as ``nn.DataParallel`` replicas each get their own)."""

    def __init__(self) -> None:
        # The training flag that an outer call passes down to nested layers (Keras's call context).
        self.training: list[bool] = []
        # While a layer builds, the device its weights should be created on (that of its first input).
        self.build_device: list[torch.device] = []


CALL_STATE = _CallState()


CALL_NOTE = "Exception encountered when calling "
_HAS_NOTES = sys.version_info >= (3, 11)


def with_call_context(error: Exception, layer: "Layer", inputs, use_notes: bool = _HAS_NOTES) -> Exception:
    """``error`` with the layer's name and the input shapes added, its type unchanged.

    Python 3.11+: a note on the same exception (returned as is). Before: a new exception of the
    same type with the context appended to the message (``error`` itself when that type cannot be
    built from one message). Only the innermost layer adds its context.
    """
    if any(str(n).startswith(CALL_NOTE) for n in getattr(error, "__notes__", ())) \
            or getattr(error, "_kerastorch_call_context", False):
        return error
    shapes = tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else type(t).__name__, inputs)
    note = f'{CALL_NOTE}{type(layer).__name__} "{layer.name}" on inputs of shape {shapes}.'
    if use_notes:
        error.add_note(note)
        return error
    try:
        replacement = type(error)(f"{error}\n\n{note}")
    except TypeError:  # a type built from other arguments (as Keras, which then falls back) keeps its message
        return error
    replacement._kerastorch_call_context = True
    return replacement


def training_when_unset(layer: "Layer") -> bool | None:
    """``training`` for a call that nothing set it for (no argument, no enclosing call): the module's
    mode (layers start in eval mode; fit/evaluate/predict set train/eval), so a subclassed model whose
    ``call`` takes no ``training`` still trains its Dropout and BatchNormalization. Keras passes None
    there (inference, even inside ``fit``): ``set_default("training_when_unset", "inference")``."""
    return layer.training if defaults.get("training_when_unset") == "module_mode" else None


@contextlib.contextmanager
def training_context(training: bool):
    """Run nested layer calls with ``training`` unless they are given it explicitly."""
    stack = CALL_STATE.training
    stack.append(bool(training))
    try:
        yield
    finally:
        stack.pop()


@contextlib.contextmanager
def build_device_scope(device: torch.device):
    """Create the weights of layers built inside on ``device`` (a layer builds where its first input is)."""
    stack = CALL_STATE.build_device
    stack.append(device)
    try:
        yield
    finally:
        stack.pop()
