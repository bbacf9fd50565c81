"""keras.layers conformance sweep against real Keras 3.15.1 (the oracle).

One table row per Keras layer class that kerastorch provides: the constructor arguments
(the same minimal ones for both libraries; a factory where the layer wraps another layer),
the inputs, and call keyword arguments. For every row:

* signature: every parameter Keras's ``__init__`` names is accepted by kerastorch's under the
  same name, with the same default;
* config: the default ``get_config()`` has Keras's keys and values (``name`` aside);
* values: both layers are built on the same inputs, Keras's weights are set on kerastorch's
  (``get_weights``/``set_weights``, Keras order and shapes, so the counts and shapes must agree
  too), and the outputs agree within 1e-5.

A completeness test fails when Keras gains a layer class kerastorch exports but the table
lacks (the data-side preprocessing layers are swept by their own oracle tests, listed below).
"""
from __future__ import annotations

import inspect
import math
import os
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
rk = pytest.importorskip("keras")
if rk.backend.backend() != "torch":  # pragma: no cover - another test imported keras on another backend
    pytest.skip("real Keras must run on its torch backend for this sweep", allow_module_level=True)

import kerastorch as kt  # noqa: E402


class Row(NamedTuple):
    name: str
    make: Callable[[Any], tuple[tuple, dict]]  # layers module -> (args, kwargs)
    inputs: Any  # a shape, a list of shapes, or a callable rng -> array / list of arrays
    call_kwargs: dict = {}


def a(*args, **kwargs):
    """Constructor arguments, the same for both libraries."""
    return lambda layers: (args, kwargs)


def _ids(rng, shape=(2, 5), high=10):
    return rng.integers(1, high, size=shape).astype("int64")


ROWS: list[Row] = [
    # core
    Row("Activation", a("relu"), (2, 4)),
    Row("Dense", a(3), (2, 4)),
    Row("EinsumDense", a("ab,bc->ac", output_shape=3, bias_axes="c"), (2, 4)),
    Row("Embedding", a(10, 3), _ids),
    Row("ReversibleEmbedding", a(10, 3), _ids),
    Row("Identity", a(), (2, 4)),
    Row("Masking", a(), (2, 3, 4)),
    Row("Lambda", lambda layers: ((lambda x: x * 2.0,), {}), (2, 4)),
    # activations
    Row("ELU", a(), (2, 4)),
    Row("LeakyReLU", a(), (2, 4)),
    Row("PReLU", a(), (2, 4)),
    Row("ReLU", a(), (2, 4)),
    Row("Softmax", a(), (2, 4)),
    # convolutions (kernel layouts differ inside kerastorch; get/set_weights speak Keras's)
    Row("Conv1D", a(3, 2), (2, 6, 2)),
    Row("Conv2D", a(3, 2), (2, 5, 5, 2)),
    Row("Conv3D", a(3, 2), (2, 4, 4, 4, 2)),
    Row("Conv1DTranspose", a(3, 2), (2, 6, 2)),
    Row("Conv2DTranspose", a(3, 2), (2, 5, 5, 2)),
    Row("Conv3DTranspose", a(3, 2), (2, 4, 4, 4, 2)),
    Row("Convolution1D", a(3, 2), (2, 6, 2)),
    Row("Convolution2D", a(3, 2), (2, 5, 5, 2)),
    Row("Convolution3D", a(3, 2), (2, 4, 4, 4, 2)),
    Row("Convolution1DTranspose", a(3, 2), (2, 6, 2)),
    Row("Convolution2DTranspose", a(3, 2), (2, 5, 5, 2)),
    Row("Convolution3DTranspose", a(3, 2), (2, 4, 4, 4, 2)),
    Row("DepthwiseConv1D", a(2), (2, 6, 2)),
    Row("DepthwiseConv2D", a(2), (2, 5, 5, 2)),
    Row("SeparableConv1D", a(3, 2), (2, 6, 2)),
    Row("SeparableConv2D", a(3, 2), (2, 5, 5, 2)),
    Row("SeparableConvolution1D", a(3, 2), (2, 6, 2)),
    Row("SeparableConvolution2D", a(3, 2), (2, 5, 5, 2)),
    # pooling
    *[Row(n, a(), s) for n, s in [
        ("MaxPooling1D", (2, 6, 3)), ("MaxPooling2D", (2, 6, 6, 3)), ("MaxPooling3D", (2, 4, 4, 4, 3)),
        ("MaxPool1D", (2, 6, 3)), ("MaxPool2D", (2, 6, 6, 3)), ("MaxPool3D", (2, 4, 4, 4, 3)),
        ("GlobalAveragePooling1D", (2, 6, 3)), ("GlobalAveragePooling2D", (2, 6, 6, 3)),
        ("GlobalAveragePooling3D", (2, 4, 4, 4, 3)), ("GlobalAvgPool1D", (2, 6, 3)),
        ("GlobalAvgPool2D", (2, 6, 6, 3)), ("GlobalAvgPool3D", (2, 4, 4, 4, 3)),
        ("GlobalMaxPooling1D", (2, 6, 3)), ("GlobalMaxPooling2D", (2, 6, 6, 3)),
        ("GlobalMaxPooling3D", (2, 4, 4, 4, 3)), ("GlobalMaxPool1D", (2, 6, 3)), ("GlobalMaxPool2D", (2, 6, 6, 3)),
        ("GlobalMaxPool3D", (2, 4, 4, 4, 3))]],
    # Keras's AveragePooling*D take pool_size positionally without a default
    Row("AveragePooling1D", a(2), (2, 6, 3)),
    Row("AveragePooling2D", a(2), (2, 6, 6, 3)),
    Row("AveragePooling3D", a(2), (2, 4, 4, 4, 3)),
    Row("AvgPool1D", a(2), (2, 6, 3)),
    Row("AvgPool2D", a(2), (2, 6, 6, 3)),
    Row("AvgPool3D", a(2), (2, 4, 4, 4, 3)),
    Row("AdaptiveAveragePooling1D", a(3), (2, 7, 3)),
    Row("AdaptiveAveragePooling2D", a((3, 2)), (2, 7, 5, 3)),
    Row("AdaptiveAveragePooling3D", a(2), (2, 5, 4, 3, 2)),
    Row("AdaptiveMaxPooling1D", a(3), (2, 7, 3)),
    Row("AdaptiveMaxPooling2D", a((3, 2)), (2, 7, 5, 3)),
    Row("AdaptiveMaxPooling3D", a(2), (2, 5, 4, 3, 2)),
    # reshaping
    Row("Cropping1D", a(), (2, 6, 3)),
    Row("Cropping2D", a(), (2, 6, 6, 3)),
    Row("Cropping3D", a(), (2, 4, 4, 4, 3)),
    Row("Flatten", a(), (2, 3, 4)),
    Row("Permute", a((2, 1)), (2, 3, 4)),
    Row("RepeatVector", a(3), (2, 4)),
    Row("Reshape", a((4, 3)), (2, 12)),
    Row("UpSampling1D", a(), (2, 3, 2)),
    Row("UpSampling2D", a(), (2, 3, 3, 2)),
    Row("UpSampling3D", a(), (2, 2, 2, 2, 2)),
    Row("ZeroPadding1D", a(), (2, 3, 2)),
    Row("ZeroPadding2D", a(), (2, 3, 3, 2)),
    Row("ZeroPadding3D", a(), (2, 2, 2, 2, 2)),
    # normalization
    Row("BatchNormalization", a(), (4, 3)),
    Row("GroupNormalization", a(groups=2), (2, 5, 4)),
    Row("LayerNormalization", a(), (2, 5, 4)),
    Row("RMSNormalization", a(), (2, 5, 4)),
    Row("UnitNormalization", a(), (2, 4)),
    Row("SpectralNormalization", lambda layers: ((layers.Dense(3),), {}), (2, 4), {"training": True}),
    # merging
    *[Row(n, a(), [(2, 4), (2, 4)]) for n in ("Add", "Average", "Maximum", "Minimum", "Multiply", "Subtract")],
    Row("Concatenate", a(), [(2, 3), (2, 4)]),
    Row("Dot", a(axes=1), [(2, 4), (2, 4)]),
    # regularization (inference: identity)
    Row("ActivityRegularization", a(), (2, 4)),
    Row("AlphaDropout", a(0.5), (2, 4)),
    Row("Dropout", a(0.5), (2, 4)),
    Row("GaussianDropout", a(0.5), (2, 4)),
    Row("GaussianNoise", a(0.5), (2, 4)),
    Row("SpatialDropout1D", a(0.5), (2, 3, 4)),
    Row("SpatialDropout2D", a(0.5), (2, 3, 3, 4)),
    Row("SpatialDropout3D", a(0.5), (2, 2, 2, 2, 4)),
    # attention
    Row("Attention", a(), [(2, 3, 4), (2, 5, 4)]),
    Row("AdditiveAttention", a(), [(2, 3, 4), (2, 5, 4)]),
    Row("MultiHeadAttention", a(2, 4), lambda rng: (rng.random((2, 3, 8), "float32"), rng.random((2, 5, 8), "float32"))),
    Row("GroupQueryAttention", a(4, 4, 2), lambda rng: (rng.random((2, 3, 8), "float32"),
                                                       rng.random((2, 5, 8), "float32"))),
    # layers that need special inputs or options get their own entries
    Row("MultiHeadAttention", a(2, 4, use_gate=True, sliding_window=2),
        lambda rng: (rng.random((2, 3, 8), "float32"), rng.random((2, 5, 8), "float32")), {"use_causal_mask": True}),
    Row("GroupQueryAttention", a(4, 4, 2, use_gate=True, sliding_window=2),
        lambda rng: (rng.random((2, 3, 8), "float32"), rng.random((2, 5, 8), "float32")),
        {"return_attention_scores": True}),
    Row("ReversibleEmbedding", a(10, 3, tie_weights=False, logit_soft_cap=2.0),
        lambda rng: rng.random((2, 5, 3), "float32"), {"reverse": True}),
    Row("SpectralNormalization", lambda layers: ((layers.Conv2D(3, 2),), {"power_iterations": 2}), (2, 5, 5, 2),
        {"training": True}),
    Row("BatchNormalization", a(), (4, 3), {"training": True}),
    # recurrent
    Row("SimpleRNN", a(3), (2, 5, 4)),
    Row("GRU", a(3), (2, 5, 4)),
    Row("LSTM", a(3), (2, 5, 4)),
    Row("ConvLSTM1D", a(2, 2), (2, 3, 5, 2)),
    Row("ConvLSTM2D", a(2, 2), (2, 3, 4, 4, 2)),
    Row("ConvLSTM3D", a(2, 2), (2, 2, 3, 3, 3, 2)),
    Row("RNN", lambda layers: ((layers.LSTMCell(3),), {}), (2, 5, 4)),
    Row("Bidirectional", lambda layers: ((layers.LSTM(3),), {}), (2, 5, 4)),
    Row("TimeDistributed", lambda layers: ((layers.Dense(3),), {}), (2, 5, 4)),
    # preprocessing that is not data-side
    Row("Rescaling", a(0.5), (2, 4)),
    Row("Normalization", a(mean=1.0, variance=4.0), (2, 4)),
]

# Classes not swept here, with where they are checked instead.
ELSEWHERE: dict[str, str] = {
    **{n: "data-side preprocessing: tests/layers/preprocessing (helpers L1/L2)" for n in (
        "CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup", "TextVectorization",
        "CenterCrop", "Pipeline", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
        "RandomRotation", "RandomTranslation", "RandomZoom", "Resizing")},
    # Cells take (inputs, states): their signatures and configs are checked here, values through RNN rows.
    "GRUCell": "signature/config only (values through GRU)", "LSTMCell": "signature/config only (values through LSTM)",
    "SimpleRNNCell": "signature/config only (values through SimpleRNN)",
    "StackedRNNCells": "signature/config only", "Layer": "base class", "Wrapper": "base class",
    "InputLayer": "graph input, tests/graph", "Input": "function",
    "TorchModuleWrapper": "wraps a torch module: tests/layers/core/test_torch_module_wrapper.py (Keras 3 oracle)",
}
CELLS: list[Row] = [
    Row("GRUCell", a(3), None), Row("LSTMCell", a(3), None), Row("SimpleRNNCell", a(3), None),
    Row("StackedRNNCells", lambda layers: (([layers.LSTMCell(3), layers.LSTMCell(2)],), {}), None),
]


def _keras_layer_classes() -> list[str]:
    return sorted(n for n in dir(rk.layers) if not n.startswith("_") and inspect.isclass(getattr(rk.layers, n))
                  and issubclass(getattr(rk.layers, n), rk.layers.Layer) and hasattr(kt.layers, n))


def _data_side(name: str) -> bool:
    """Keras's image / text / lookup preprocessing layers (their own helpers' oracle tests sweep them)."""
    module = getattr(rk.layers, name).__module__
    return ".preprocessing." in module and name not in ("Rescaling", "Normalization")


def test_every_shared_layer_class_is_swept():
    swept = {r.name for r in ROWS} | {r.name for r in CELLS}
    missing = [n for n in _keras_layer_classes() if n not in swept and n not in ELSEWHERE and not _data_side(n)]
    assert not missing, f"add rows for these keras.layers classes kerastorch exports: {missing}"


# ------------------------------------------------------------------ comparisons

def _same(a: Any, b: Any) -> bool:
    """Equal as a JSON round trip sees them (tuples == lists), floats to 1e-6 relative."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-6)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _config_diff(kc: dict, tc: dict) -> dict:
    keys = (set(kc) | set(tc)) - {"name"}
    return {k: (kc.get(k, "<absent>"), tc.get(k, "<absent>")) for k in sorted(keys)
            if k not in kc or k not in tc or not _same(kc[k], tc[k])}


def _construct(row: Row):
    rk.backend.clear_session(free_memory=False)  # fresh auto-names (nested names are in configs); no gc pass
    kt.backend.clear_session(free_memory=False)
    kargs, kkw = row.make(rk.layers)
    targs, tkw = row.make(kt.layers)
    return getattr(rk.layers, row.name)(*kargs, **kkw), getattr(kt.layers, row.name)(*targs, **tkw)


def _signature_problems(name: str) -> list[str]:
    kparams = inspect.signature(getattr(rk.layers, name).__init__).parameters
    tparams = inspect.signature(getattr(kt.layers, name).__init__).parameters
    problems = []
    for p in kparams.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        tp = tparams.get(p.name)
        if tp is None:
            problems.append(f"{p.name!r} missing")
        elif p.default is not p.empty and (tp.default is tp.empty or not _same(p.default, tp.default)):
            problems.append(f"{p.name!r} default {tp.default!r} != Keras {p.default!r}")
    return problems


def _inputs(row: Row):
    rng = np.random.default_rng(0)
    if callable(row.inputs):
        return row.inputs(rng)
    if isinstance(row.inputs, list):
        return [rng.standard_normal(s).astype("float32") for s in row.inputs]
    return rng.standard_normal(row.inputs).astype("float32")


def _call(layer, x, kwargs):
    if isinstance(x, tuple):  # (query, value)
        return layer(*x, **kwargs)
    return layer(x, **kwargs)


def _numpy(y):
    if isinstance(y, (list, tuple)):
        return [_numpy(v) for v in y]
    return (y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)).astype("float64")


@pytest.mark.parametrize("row", ROWS + CELLS, ids=lambda r: r.name)
def test_signature(row):
    assert not _signature_problems(row.name)


@pytest.mark.parametrize("row", ROWS + CELLS, ids=lambda r: r.name)
def test_default_config(row):
    k, t = _construct(row)
    assert not _config_diff(k.get_config(), t.get_config())


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.name}-{sorted(r.call_kwargs)}" if r.call_kwargs else r.name)
def test_weights_and_outputs(row):
    k, t = _construct(row)
    x = _inputs(row)
    build_kwargs = {"reverse": True} if row.call_kwargs.get("reverse") else {}
    _call(k, x, build_kwargs)  # build both
    _call(t, x, build_kwargs)
    kw = k.get_weights()
    assert [w.shape for w in t.get_weights()] == [w.shape for w in kw]
    t.set_weights(kw)
    expected = _numpy(_call(k, x, row.call_kwargs))
    got = _numpy(_call(t, x, row.call_kwargs))
    if not isinstance(expected, list):
        expected, got = [expected], [got]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-5)
