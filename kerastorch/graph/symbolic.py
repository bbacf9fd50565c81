"""Symbolic calls: what ``layer(keras_tensor)`` does, and shape inference by probing.

``symbolic_call`` builds the layer from the symbolic shapes, runs it once on small
tensors of ones to learn the output shapes (so every layer's shape logic is its own
``call``, written once), and records a ``Node``. Unknown (``None``) dimensions are
probed with two different sizes; the output dimensions that follow them become
``None``.

While a probe runs, ``is_probing()`` is true. Layers with state that outlives a call
(stateful RNNs) check it so that a shape probe leaves their state alone. The flag is
per thread, like every call context in kerastorch.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.graph.node import Node

# Stand-in sizes for unknown (None) dimensions when shapes are probed; two distinct sizes reveal
# which output dimensions follow the unknown input dimensions.
_PROBE_SIZES = (32, 37)
_PROBE_BATCH = 2
# Stand-in texts for string inputs: different lengths, in characters and in words.
_PROBE_TEXTS = ("a", "a b c")


class _ProbeState(threading.local):
    depth = 0


_PROBE_STATE = _ProbeState()


@contextlib.contextmanager
def probing() -> Iterator[None]:
    """Mark the calls inside as shape probes (``is_probing()`` is true there)."""
    _PROBE_STATE.depth += 1
    try:
        yield
    finally:
        _PROBE_STATE.depth -= 1


def is_probing() -> bool:
    """Whether the current call runs on probe tensors for shape inference, not on data."""
    return _PROBE_STATE.depth > 0


def _probe_tensor(kt: KerasTensor, size_index: int) -> torch.Tensor | np.ndarray:
    if kt.dtype == "string":
        # Text has no tensor form: probe with numpy object arrays of a text whose length (in characters and
        # in words) differs between the two probes, so output dims that follow the text become None.
        shape = [(_PROBE_BATCH if i == 0 else _PROBE_SIZES[size_index]) if d is None else d
                 for i, d in enumerate(kt.shape)]
        return np.full(shape, _PROBE_TEXTS[size_index], dtype=object)
    shape = [(_PROBE_BATCH if i == 0 else _PROBE_SIZES[size_index]) if d is None else d
             for i, d in enumerate(kt.shape)]
    t = torch.ones(shape, dtype=kt.torch_dtype)
    if kt._keras_mask is not None:
        t._keras_mask = torch.ones(shape[:len(kt._keras_mask.shape)], dtype=torch.bool)
    return t


def _build_symbolically(layer: Any, args: tuple) -> None:
    inputs = args[0] if args else None
    shapes = tree.map_structure(lambda t: t.shape if type(t) is KerasTensor else getattr(t, "shape", None), inputs)
    layer.build(shapes)
    layer.built = True
    layer._build_input_shape = shapes
    if getattr(layer, "_initial_weights", None) is not None:
        layer.set_weights(layer._initial_weights)
        layer._initial_weights = None


def symbolic_call(layer: Any, args: tuple, kwargs: dict) -> Any:
    """``layer(*args, **kwargs)`` where some arguments are KerasTensors: record a node, return its outputs."""
    flat = tree.flatten((list(args), kwargs))
    kts = [t for t in flat if type(t) is KerasTensor]
    # A KerasTensor made with record_history=False asks for shapes only: no node, and outputs that
    # record nothing either (Keras's rule).
    record = all(t.record_history for t in kts)
    if not layer.built:
        _build_symbolically(layer, args)
    if any(t.dtype == "string" for t in kts) and hasattr(layer, "compute_output_spec"):
        # A text layer that knows its output without data (TextVectorization: before `adapt`, or while a loaded
        # model is rebuilt before its vocabulary arrives) says so; running it on stand-in text could fail.
        outputs = layer.compute_output_spec(*args, **kwargs)
        if record:
            Node(layer, tuple(args), dict(kwargs), outputs)
        else:
            for t in tree.flatten(outputs):
                if type(t) is KerasTensor:
                    t.record_history = False
        return outputs
    # Strings are always probed twice: output dims that depend on the text (tokens per text) are unknown.
    has_unknown = any(d is None for t in kts for d in t.shape[1:]) or any(t.dtype == "string" for t in kts)
    runs = []
    for size_index in range(2 if has_unknown else 1):
        concrete = {id(t): _probe_tensor(t, size_index) for t in kts}
        leaves = [concrete[id(t)] if type(t) is KerasTensor else t for t in flat]
        c_args, c_kwargs = tree.pack_sequence_as((list(args), kwargs), leaves)
        with probing(), torch.no_grad():
            runs.append(layer(*c_args, **c_kwargs))
    out_flat = [tree.flatten(r) for r in runs]
    batch_known = kts and all(t.shape and t.shape[0] is not None for t in kts)

    def to_keras_tensor(i: int, t: Any) -> Any:
        if not isinstance(t, torch.Tensor):
            return t
        shape = list(t.shape)
        if len(runs) == 2 and isinstance(out_flat[1][i], torch.Tensor):
            shape = [None if a != b else a for a, b in zip(t.shape, out_flat[1][i].shape)]
        if shape and not batch_known:
            shape[0] = None
        kt = KerasTensor(shape, t.dtype, record_history=record)
        mask = getattr(t, "_keras_mask", None)
        if mask is not None:
            kt._keras_mask = KerasTensor([None] + list(mask.shape[1:]), mask.dtype)
        return kt

    outputs = tree.pack_sequence_as(runs[0], [to_keras_tensor(i, t) for i, t in enumerate(out_flat[0])])
    if record:
        Node(layer, tuple(args), dict(kwargs), outputs)
    return outputs


def infer_output_shape(layer: Any, input_shape: Any) -> Any:
    """Output shape(s) of ``layer`` for ``input_shape`` (with ``None`` for unknown dims); records no node."""
    if isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], (list, tuple)):
        inputs = [KerasTensor(s, record_history=False) for s in input_shape]
    else:
        inputs = KerasTensor(input_shape, record_history=False)
    outputs = symbolic_call(layer, (inputs,), {})
    return tree.map_structure(lambda t: t.shape, outputs)
