"""The Keras 3.15 constructor arguments of Layer, Input and KerasTensor do what they do in Keras:
automatic configs equal Keras's, autocast=False computes outside torch.autocast, optional inputs take
None, record_history=False records no graph node, sparse/ragged inputs are refused as on Keras's torch."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

import kerastorch  # noqa: E402


def _custom_layers(lib):
    class WithKwargs(lib.layers.Layer):
        def __init__(self, units=2, scale=1.5, **kwargs):
            super().__init__(**kwargs)
            self.units, self.scale = units, scale

    class NoKwargs(lib.layers.Layer):
        def __init__(self, units=2, **kw):
            super().__init__(**kw)

    class NotPlain(lib.layers.Layer):
        def __init__(self, table=None, **kwargs):
            super().__init__(**kwargs)
            self.table = table

        def get_config(self):
            return {**super().get_config(), "table": None}

    return WithKwargs, NoKwargs, NotPlain


@pytest.mark.parametrize("build", [
    lambda lib, c: lib.layers.Layer(),
    lambda lib, c: lib.layers.Layer(autocast=False, activity_regularizer="l2", name="x"),
    lambda lib, c: c[0](units=5, name="w"),
    lambda lib, c: c[0](7, trainable=False),
    lambda lib, c: c[1](units=3),
    lambda lib, c: c[2](table=object()),
])
def test_automatic_config_equals_keras(build):
    configs = []
    for lib in (keras, kerastorch):
        lib.backend.clear_session()
        configs.append(build(lib, _custom_layers(lib)).get_config())
    assert configs[1] == configs[0]


def test_automatic_config_round_trips():
    WithKwargs, _, _ = _custom_layers(kerastorch)
    layer = WithKwargs(units=5, scale=0.5, name="w")
    again = WithKwargs.from_config(layer.get_config())
    assert (again.units, again.scale, again.name) == (5, 0.5, "w")


def test_autocast_false_runs_in_the_variable_dtype_under_autocast():
    inner = kerastorch.layers.Dense(3, autocast=False)
    outer = kerastorch.layers.Dense(4)
    x = torch.randn(2, 5)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = outer(x)
        y = inner(h)
    assert h.dtype == torch.bfloat16 and y.dtype == torch.float32
    expected = h.float() @ inner.kernel.detach() + inner.bias.detach()
    torch.testing.assert_close(y.detach(), expected, rtol=1e-6, atol=1e-6)
    assert kerastorch.layers.Dense(3).autocast is True
    inner.autocast = True  # the call spec is decided again
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert inner(h).dtype == torch.bfloat16


def _optional_model(lib):
    class AddOptional(lib.layers.Layer):
        def call(self, x, y=None):
            return x if y is None else x + y

    a = lib.Input((3,), name="a")
    b = lib.Input((3,), name="b", optional=True)
    return lib.Model([a, b], AddOptional()(a, b))


def test_optional_input_accepts_none_as_keras():
    x = np.ones((2, 3), "float32")
    results = []
    for lib in (keras, kerastorch):
        model = _optional_model(lib)
        with pytest.raises(ValueError, match="'a' is not optional"):
            model([None, x])
        config = json.loads(json.dumps(model.get_config()["layers"][1]["config"]))
        results.append((lib.ops.convert_to_numpy(model([x, None])), lib.ops.convert_to_numpy(model([x, 2 * x])),
                        config))
    (k_none, k_both, k_cfg), (t_none, t_both, t_cfg) = results
    np.testing.assert_array_equal(t_none, k_none)
    np.testing.assert_array_equal(t_both, k_both)
    assert t_cfg == k_cfg and t_cfg["optional"] is True


def test_keras_tensor_arguments():
    kt = kerastorch.KerasTensor((None, 3), "float32", False, False, True, "x")
    assert (kt.shape, kt.dtype, kt.sparse, kt.ragged, kt.record_history, kt.name) == \
        ((None, 3), "float32", False, False, True, "x")
    assert kerastorch.KerasTensor((2,)).name.startswith("keras_tensor")
    with pytest.raises(TypeError, match="unexpected keyword"):
        kerastorch.KerasTensor((2,), color="red")
    with pytest.raises(ValueError, match="at the same time"):
        kerastorch.KerasTensor((2,), sparse=True, ragged=True)
    shape_only = kerastorch.KerasTensor((None, 3), record_history=False)
    dense = kerastorch.layers.Dense(4)
    out = dense(shape_only)
    assert out.shape == (None, 4) and out.record_history is False
    assert out._keras_history is None and dense._inbound_nodes == []


def test_input_arguments_like_keras_on_torch():
    for lib in (keras, kerastorch):
        with pytest.raises(ValueError, match="sparse=True"):
            lib.Input((3,), sparse=True)
        with pytest.raises(ValueError, match="ragged=True"):
            lib.Input((3,), ragged=True)
        with pytest.raises(ValueError, match="both `shape` and `batch_shape`"):
            lib.layers.InputLayer(shape=(3,), batch_shape=(None, 3))
    source = kerastorch.Input((3,))
    wrapped = kerastorch.layers.InputLayer(input_tensor=source)
    assert wrapped.output_tensor.shape == (None, 3)
    with pytest.raises(ValueError, match="incompatible `shape`"):
        kerastorch.Input((4,), tensor=source)
    with pytest.raises(ValueError, match="must be a KerasTensor"):
        kerastorch.Input((3,), tensor=np.ones((1, 3)))


def test_sequential_positional_arguments_follow_keras():
    model = kerastorch.Sequential([kerastorch.layers.Dense(2)], False, "frozen")
    assert (model.trainable, model.name) == (False, "frozen")
    assert kerastorch.Model().get_config() == keras.Model().get_config()
