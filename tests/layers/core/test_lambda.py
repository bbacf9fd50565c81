"""Lambda (call, arguments, mask/training forwarding, bytecode config and the safe_mode refusal),
Identity and the Wrapper base."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch import layers
from kerastorch.layers.core.lambda_layer import deserialize_function, func_dump


def _np(t):
    return t.detach().numpy()


def double(x):
    return x * 2


def test_lambda_call_arguments_and_symbolic_shape():
    inp = keras.Input((3,))
    out = layers.Lambda(lambda x, k: x[:, :2] * k, arguments={"k": 3.0})(inp)
    assert tuple(out.shape) == (None, 2)
    model = keras.Model(inp, out)
    np.testing.assert_allclose(_np(model(np.ones((2, 3), "float32"))), 3.0)


def test_lambda_forwards_mask_and_training():
    seen = {}

    def fn(x, mask=None, training=None):
        seen["mask"], seen["training"] = mask, training
        return x

    x = torch.ones(2, 3, 1)
    x._keras_mask = torch.tensor([[1, 0, 1], [1, 1, 0]], dtype=torch.bool)
    layers.Lambda(fn)(x, training=True)
    assert seen["training"] is True and seen["mask"] is x._keras_mask
    out = layers.Lambda(lambda t: t, mask=lambda inputs, mask: mask)(x)
    assert out._keras_mask is x._keras_mask


def test_lambda_config_stores_bytecode_and_refuses_without_safe_mode_false():
    scale = 4.0
    layer = layers.Lambda(lambda x: x * scale + 1, output_shape=(3,), name="lam")
    cfg = layer.get_config()
    fn_cfg = cfg["function"]
    assert fn_cfg["class_name"] == "__lambda__"
    assert isinstance(fn_cfg["config"]["code"], str) and fn_cfg["config"]["closure"] == [4.0]
    assert cfg["output_shape"] == [3]
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(dict(cfg))
    with pytest.raises(ValueError, match="safe_mode"):
        deserialize_function(fn_cfg, safe_mode=True)
    clone = layers.Lambda.from_config(dict(cfg), safe_mode=False)
    np.testing.assert_allclose(_np(clone(torch.ones(1, 3))), 5.0)
    assert clone._output_shape == (3,)


def test_lambda_from_config_follows_the_ambient_safe_mode_flag():
    from kerastorch.layers import serialization
    cfg = layers.Lambda(lambda x: x - 1).get_config()
    with serialization.SafeModeScope(True):
        with pytest.raises(ValueError, match="safe_mode"):
            layers.Lambda.from_config(dict(cfg))
    with serialization.SafeModeScope(False):
        clone = layers.Lambda.from_config(dict(cfg))
    np.testing.assert_allclose(_np(clone(torch.ones(1, 2))), 0.0)
    with pytest.raises(ValueError, match="safe_mode"):  # safe again outside the scope
        layers.Lambda.from_config(dict(cfg))
    with serialization.SafeModeScope(False):  # an explicit safe_mode wins over the scope
        with pytest.raises(ValueError, match="safe_mode"):
            layers.Lambda.from_config(dict(cfg), safe_mode=True)


def test_keras2_lambda_config_layout():
    code = func_dump(lambda x, p=2.0: x ** p)
    cfg = {"name": "k2", "trainable": True, "dtype": "float32", "function": list(code),
           "function_type": "lambda", "module": "__main__", "output_shape": None, "output_shape_type": "raw",
           "output_shape_module": None, "arguments": {}}
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(dict(cfg))
    fn = deserialize_function(cfg["function"], safe_mode=False, function_type="lambda")
    np.testing.assert_allclose(_np(fn(torch.tensor([3.0]))), 9.0)
    layer = layers.Lambda.from_config(dict(cfg), safe_mode=False)
    np.testing.assert_allclose(_np(layer(torch.tensor([[2.0]]))), 4.0)


def test_named_function_config_is_safe_and_resolves():
    layer = layers.Lambda(double)
    cfg = layer.get_config()
    assert cfg["function"]["class_name"] == "function" and cfg["function"]["config"] == "double"
    clone = layers.Lambda.from_config(dict(cfg))  # a named, already imported function needs no unsafe mode
    np.testing.assert_allclose(_np(clone(torch.ones(1, 2))), 2.0)
    k2 = layers.Lambda.from_config({"function": "double", "function_type": "function", "module": None,
                                    "arguments": {}}, custom_objects={"double": double})
    assert k2.function is double
    with pytest.raises(ValueError, match="custom_objects"):
        layers.Lambda.from_config({"function": "no_such_fn", "function_type": "function", "module": "nowhere"})


def test_lambda_numpy_arguments_round_trip():
    layer = layers.Lambda(double, arguments={})
    layer.arguments = {"w": np.arange(3.0)}
    cfg = layer.get_config()
    assert cfg["arguments"]["w"]["class_name"] == "__numpy__"


def test_identity_passes_tensor_and_mask():
    x = torch.ones(2, 3, 4)
    x._keras_mask = torch.ones(2, 3, dtype=torch.bool)
    out = layers.Identity()(x)
    assert out is x and out._keras_mask is x._keras_mask


def test_wrapper_base_tracks_layer_and_nests_config():
    class Twice(layers.Wrapper):
        def call(self, inputs):
            return self.layer(self.layer(inputs))

    w = Twice(layers.Dense(3, name="inner"), name="twice")
    y = w(torch.ones(2, 3))
    assert tuple(y.shape) == (2, 3)
    assert [a.shape for a in w.get_weights()] == [(3, 3), (3,)]
    assert any(n.startswith("layer.") for n, _ in w.named_parameters())
    cfg = w.get_config()
    assert cfg["layer"]["class_name"] == "Dense" and cfg["layer"]["config"]["units"] == 3
    clone = Twice.from_config(cfg)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.units == 3
    w.trainable = False
    assert not w.layer.trainable and not w.trainable_weights
    with pytest.raises(ValueError):
        layers.Wrapper("not a layer")
