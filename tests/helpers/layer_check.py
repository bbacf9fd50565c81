"""``check_layer``: the checks every layer should pass, in one call.

Used by the layer tests (``from helpers.layer_check import check_layer``; pytest puts
``tests/`` on ``sys.path``). For one layer class and constructor arguments it checks:

1. build on the first eager call, output shape(s), trainable / non-trainable weight counts;
2. a symbolic call on ``keras.Input`` gives the same shapes with a ``None`` batch axis;
3. ``from_config(get_config())`` gives an equal config and, with the same weights, equal outputs;
4. ``set_weights(get_weights())`` leaves the outputs unchanged;
5. one SGD step on a loss of the training-mode output changes every trainable weight;
6. with ``trainable = False`` the layer has no trainable weights and a training-mode call
   changes no weight (moving statistics included);
7. optionally, real Keras 3 (torch backend) builds the same weights (names, Keras shapes) and,
   given kerastorch's weight values, computes the same inference outputs.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import torch

import kerastorch as kt

_REAL_KERAS: Any = None


def real_keras():
    """Real Keras on the torch backend, or None when it is not installed."""
    global _REAL_KERAS
    if _REAL_KERAS is None:
        os.environ["KERAS_BACKEND"] = "torch"
        try:
            import keras
        except ImportError:
            _REAL_KERAS = False
        else:
            _REAL_KERAS = keras
    return _REAL_KERAS or None


def _flat(outputs) -> list[torch.Tensor]:
    return kt.tree.flatten(outputs) if not isinstance(outputs, torch.Tensor) else [outputs]


def _shapes(outputs) -> list[tuple]:
    return [tuple(o.shape) for o in _flat(outputs)]


def _numpy(outputs) -> list[np.ndarray]:
    return [o.detach().cpu().numpy() for o in _flat(outputs)]


def make_inputs(input_shape: tuple, dtype: str = "float32", input_range: tuple | None = None,
                seed: int = 0) -> np.ndarray:
    """Random inputs: normal floats, or integers in ``input_range`` (default ``[0, 10)``) for int dtypes."""
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        low, high = input_range or (0, 10)
        return rng.integers(low, high, size=input_shape).astype(dtype)
    if input_range is not None:
        return rng.uniform(*input_range, size=input_shape).astype(dtype)
    return rng.standard_normal(input_shape).astype(dtype)


def _weight_names(weights) -> list[str]:
    return [getattr(w, "keras_name", None) or getattr(w, "path", "?").split("/")[-1] for w in weights]


def _without_build_config(value):
    # Whether a nested layer records its build shape depends on whether it has been called yet.
    if isinstance(value, dict):
        return {k: _without_build_config(v) for k, v in value.items() if k != "build_config"}
    if isinstance(value, (list, tuple)):
        return [_without_build_config(v) for v in value]
    return value


def _same_config(a: dict, b: dict) -> bool:
    dump = lambda c: json.dumps(_without_build_config(c), sort_keys=True, default=str)  # noqa: E731
    return dump(a) == dump(b)


def check_layer(cls, kwargs, input_shape: tuple, expected_output_shape, n_trainable: int | None = None,
                n_non_trainable: int | None = None, *, input_dtype: str = "float32",
                input_range: tuple | None = None, check_training: bool = True, compare_keras: bool = True,
                rtol: float = 1e-5, atol: float = 1e-5, seed: int = 0):
    """Run the common layer checks (module docstring) and return the built layer.

    ``kwargs`` is a dict, or a function of a layers module (``kerastorch.layers`` or Keras's)
    returning one, for arguments that are layers themselves (``Bidirectional(LSTM(3))``).
    ``expected_output_shape`` includes the batch axis (a list of shapes for several outputs).
    ``check_training=False`` skips the gradient checks (layers whose output has no gradient
    with respect to some weight by design). ``compare_keras=False`` skips real Keras.
    """
    x_np = make_inputs(input_shape, input_dtype, input_range, seed)
    x = torch.as_tensor(x_np)
    expected = [tuple(s) for s in expected_output_shape] \
        if expected_output_shape and isinstance(expected_output_shape[0], (list, tuple)) \
        else [tuple(expected_output_shape)]

    make_kwargs = kwargs if callable(kwargs) else (lambda _: kwargs)

    # 1. build on first call, shapes, weight counts
    # Seeded weights: the checks must not depend on which tests ran before in this process (a relu
    # Dense whose every unit starts dead would leave its weights unchanged by the training step).
    kt.utils.set_random_seed(seed)
    layer = cls(**make_kwargs(kt.layers))
    assert not layer.built, f"{cls.__name__} is built before its first call"
    out = layer(x)
    assert layer.built, f"{cls.__name__} is not built after its first call"
    assert _shapes(out) == expected, f"{cls.__name__}: output shapes {_shapes(out)}, expected {expected}"
    if n_trainable is not None:
        assert len(layer.trainable_weights) == n_trainable, \
            f"{cls.__name__}: {len(layer.trainable_weights)} trainable weights, expected {n_trainable}"
    if n_non_trainable is not None:
        assert len(layer.non_trainable_weights) == n_non_trainable, \
            f"{cls.__name__}: {len(layer.non_trainable_weights)} non-trainable weights, expected {n_non_trainable}"
    reference = _numpy(layer(x))

    # 2. symbolic call
    symbolic = cls(**make_kwargs(kt.layers))(kt.Input(shape=tuple(input_shape[1:]), dtype=input_dtype))
    symbolic_shapes = [tuple(t.shape) for t in kt.tree.flatten(symbolic)]
    assert symbolic_shapes == [(None,) + s[1:] for s in expected], \
        f"{cls.__name__}: symbolic output shapes {symbolic_shapes}, expected {expected} with a None batch axis"

    # 3. config round trip
    config = layer.get_config()
    clone = cls.from_config(config)
    assert _same_config(clone.get_config(), config), f"{cls.__name__}: config changes in a round trip"
    clone(x)
    clone.set_weights(layer.get_weights())
    for a, b in zip(_numpy(clone(x)), reference):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{cls.__name__}: clone outputs differ")

    # 4. set_weights(get_weights())
    layer.set_weights(layer.get_weights())
    for a, b in zip(_numpy(layer(x)), reference):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol,
                                   err_msg=f"{cls.__name__}: set_weights(get_weights()) changed the outputs")

    # 5. one training step changes every trainable weight
    if check_training and layer.trainable_weights:
        params = layer.trainable_weights
        before = [p.detach().clone() for p in params]
        torch.manual_seed(seed)
        loss = sum((o.float() ** 2).mean() + o.float().mean() for o in _flat(layer(x, training=True)))
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        with torch.no_grad():
            for p, g in zip(params, grads):
                if g is not None:
                    p.sub_(0.1 * g)
        unchanged = [name for name, p, b in zip(_weight_names(params), params, before) if torch.equal(p, b)]
        assert not unchanged, f"{cls.__name__}: a training step left trainable weights {unchanged} unchanged"

    # 6. frozen: no trainable weights, nothing changes in a training-mode call
    layer.trainable = False
    assert layer.trainable_weights == [], f"{cls.__name__}: trainable weights while trainable=False"
    frozen = [w.detach().clone() for w in layer.weights]
    with torch.no_grad():
        layer(x, training=True)
    changed = [name for name, w, b in zip(_weight_names(layer.weights), layer.weights, frozen) if not torch.equal(w, b)]
    assert not changed, f"{cls.__name__}: weights {changed} changed in a call while trainable=False"
    layer.trainable = True

    # 7. real Keras: same weights, same outputs
    keras = real_keras() if compare_keras else None
    if keras is not None:
        k_layer = getattr(keras.layers, cls.__name__)(**make_kwargs(keras.layers))
        k_layer(x_np)
        assert _weight_names(k_layer.weights) == _weight_names(layer.weights), \
            f"{cls.__name__}: weights {_weight_names(layer.weights)}, Keras has {_weight_names(k_layer.weights)}"
        values = layer.get_weights()
        assert [tuple(v.shape) for v in k_layer.get_weights()] == [v.shape for v in values], \
            f"{cls.__name__}: Keras-layout weight shapes differ from Keras's"
        k_layer.set_weights(values)
        k_out = k_layer(x_np, training=False) if "training" in _call_args(k_layer) else k_layer(x_np)
        t_out = layer(x, training=False)
        for a, b in zip(_numpy(t_out), [np.asarray(o.detach().cpu()) for o in keras.tree.flatten(k_out)]):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{cls.__name__}: outputs differ from Keras")
    return layer


def _call_args(layer) -> set[str]:
    import inspect
    return set(inspect.signature(layer.call).parameters)
