"""Keras 3's top-level scopes: ``keras.device``, ``keras.name_scope`` and ``keras.remat``.

- ``device("gpu:0")`` makes new weights and tensors go to that device for the block (it
  sets the same switch as ``keras.config.set_device`` and restores it afterwards);
- ``name_scope("block")`` prefixes the path of Variables created with a name inside it
  (``block/kernel``); scopes nest with "/";
- ``remat(f)`` recomputes ``f``'s activations in the backward pass instead of storing them
  (``torch.utils.checkpoint``), trading compute for memory.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import torch

from kerastorch._core import config as _config

_SCOPES = threading.local()


def _torch_device_name(device_name: Any) -> str:
    if isinstance(device_name, torch.device):
        return str(device_name)
    if not isinstance(device_name, str):
        raise ValueError(f"Invalid value for argument `device_name`. Expected a string like 'cpu' or 'gpu:0'. "
                         f"Received: device_name={device_name!r}")
    name = device_name.lower()
    if name.startswith("/device:"):  # TensorFlow spelling: "/device:GPU:0"
        name = name[len("/device:"):]
    if name.startswith("gpu"):
        name = "cuda" + name[3:]
    try:
        return str(torch.device(name))
    except RuntimeError as error:
        raise ValueError(f"Invalid device name {device_name!r}: expected e.g. 'cpu', 'gpu:0' or 'cuda:1'.") from error


@contextlib.contextmanager
def device(device_name: Any) -> Iterator[None]:
    """Create tensors and weights on ``device_name`` ("cpu", "gpu:0", "cuda:1") inside the block."""
    previous = _config._DEVICE
    _config.set_device(_torch_device_name(device_name))
    try:
        yield
    finally:
        _config._DEVICE = previous


def _stack() -> list[tuple[str, Any]]:
    """(name, caller) of each open scope, innermost last."""
    if not hasattr(_SCOPES, "names"):
        _SCOPES.names = []
    return _SCOPES.names


def current_path() -> str:
    """The "/"-joined names of the enclosing ``name_scope``s ("" outside any)."""
    return "/".join(name for name, _ in _stack())


class name_scope:
    """``with keras.name_scope("block"): v = keras.Variable(..., name="w")`` gives ``v.path == "block/w"``.

    ``deduplicate`` skips a scope that repeats the enclosing one (same name, same non-None
    ``caller``: a layer entering its own scope twice); ``override_parent`` replaces the enclosing path instead of
    extending it. ``caller`` is the object opening the scope (Keras records it; unused here).
    """

    def __init__(self, name: str, caller: Any = None, deduplicate: bool = True,
                 override_parent: str | None = None) -> None:
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name!r}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False
        self._saved: list[tuple[str, Any]] | None = None

    def __enter__(self) -> name_scope:
        stack = _stack()
        if self.override_parent is not None:
            self._saved = list(stack)
            stack[:] = [(p, None) for p in self.override_parent.split("/") if p]
        if (self.deduplicate and stack and self.caller is not None and stack[-1][0] == self.name
                and stack[-1][1] is self.caller):
            return self
        stack.append((self.name, self.caller))
        self._pushed = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack = _stack()
        if self._pushed:
            stack.pop()
            self._pushed = False
        if self._saved is not None:
            stack[:] = self._saved
            self._saved = None


def remat(f: Callable) -> Callable:
    """``f`` wrapped so its intermediate activations are recomputed during backprop (gradient checkpointing)."""
    from torch.utils.checkpoint import checkpoint

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return checkpoint(f, *args, use_reentrant=False, **kwargs)

    return wrapped
