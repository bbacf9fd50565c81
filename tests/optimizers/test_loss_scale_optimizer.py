"""keras.optimizers.LossScaleOptimizer against real Keras 3 (torch backend): dynamic scaling,
skipped steps, variables, config and serialization, and compile's mixed_float16 wrap."""
from __future__ import annotations

import numpy as np
import pytest
import torch

_WEIGHTS = [np.random.default_rng(5).normal(size=s).astype("float32") * 0.5 for s in [(4, 3), (3,), (3, 1), (1,)]]
_X = np.random.default_rng(6).random((48, 4)).astype("float32")
_Y = np.random.default_rng(7).random((48, 1)).astype("float32")


def _train(k, inner, epochs=2, y_scale=1.0, **lso_kwargs):
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(3, activation="relu"), k.layers.Dense(1)])
    model.set_weights(_WEIGHTS)
    opt = k.optimizers.LossScaleOptimizer(inner, **lso_kwargs)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(_X, _Y * y_scale, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return model, opt, history


def _scalar(v) -> float:
    return float(np.asarray(v.detach().cpu() if isinstance(v, torch.Tensor) else v.numpy()))


@pytest.mark.parametrize("initial_scale,growth,y_scale,skips", [(2.0 ** 15, 4, 1.0, 0), (2.0 ** 126, 3, 1e3, 6)],
                         ids=["growth", "overflow-then-growth"])
def test_dynamic_scale_and_weights_follow_keras(keras, real_keras, initial_scale, growth, y_scale, skips):
    ours, o_opt, o_hist = _train(keras, keras.optimizers.Adam(0.01), initial_scale=initial_scale,
                                 dynamic_growth_steps=growth, y_scale=y_scale)
    theirs, t_opt, t_hist = _train(real_keras, real_keras.optimizers.Adam(0.01), initial_scale=initial_scale,
                                   dynamic_growth_steps=growth, y_scale=y_scale)
    assert 12 - int(o_opt.iterations) >= skips
    assert _scalar(o_opt.dynamic_scale) == _scalar(t_opt.dynamic_scale)
    assert _scalar(o_opt.step_counter) == _scalar(t_opt.step_counter)
    assert _scalar(o_opt.iterations) == _scalar(t_opt.iterations)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(o_hist.history["loss"], t_hist.history["loss"], rtol=1e-5)


def test_overflowing_steps_are_skipped(keras):
    model, opt, _ = _train(keras, keras.optimizers.SGD(0.1), epochs=1, initial_scale=2.0 ** 127 * 0.5,
                           dynamic_growth_steps=1000)
    assert int(opt.iterations) == 6 and _scalar(opt.dynamic_scale) == 2.0 ** 126
    weights = model.get_weights()
    model.compile(optimizer=opt, loss=lambda y, p: 1e6 * keras.ops.mean((y - p) ** 2))
    model.fit(_X, _Y, batch_size=8, epochs=1, shuffle=False, verbose=0)  # 6 more steps, huge gradients
    skipped = 12 - int(opt.iterations)
    assert skipped >= 1
    assert _scalar(opt.dynamic_scale) == 2.0 ** (126 - skipped)
    if skipped == 6:
        for a, b in zip(model.get_weights(), weights):
            np.testing.assert_array_equal(a, b)


def test_variables_config_and_serialization_match_keras(keras, real_keras):
    ours = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.1), dynamic_growth_steps=3)
    theirs = real_keras.optimizers.LossScaleOptimizer(real_keras.optimizers.Adam(0.1), dynamic_growth_steps=3)
    d = keras.layers.Dense(2)
    d.build((None, 4))
    rd = real_keras.layers.Dense(2)
    rd.build((None, 4))
    ours.build(d.trainable_weights)
    theirs.build(rd.trainable_variables)
    # This wrapper's own four (iteration, learning_rate, step_counter, dynamic_scale), then the
    # inner optimizer's (whose slot order is the inner optimizer's business).
    assert len(ours.variables) == len(theirs.variables)
    assert sorted(tuple(v.shape) for v in ours.variables) == sorted(tuple(v.shape) for v in theirs.variables)
    assert [_scalar(v) for v in ours.variables[:4]] == [_scalar(v) for v in theirs.variables[:4]]
    o_cfg, t_cfg = ours.get_config(), theirs.get_config()
    assert o_cfg.keys() == t_cfg.keys()
    assert {k: v for k, v in o_cfg.items() if k not in ("inner_optimizer", "name")} == \
        {k: v for k, v in t_cfg.items() if k not in ("inner_optimizer", "name")}
    assert o_cfg["inner_optimizer"]["class_name"] == "Adam"
    assert o_cfg["inner_optimizer"]["config"]["learning_rate"] == pytest.approx(0.1)
    assert keras.optimizers.serialize(ours)["class_name"] == real_keras.optimizers.serialize(theirs)["class_name"]
    # Keras's own serialized form (inner module path and all) deserializes here.
    restored = keras.optimizers.deserialize(real_keras.optimizers.serialize(theirs))
    assert isinstance(restored, keras.optimizers.LossScaleOptimizer)
    assert isinstance(restored.inner_optimizer, keras.optimizers.Adam)
    assert restored.dynamic_growth_steps == 3 and restored.initial_scale == 2.0 ** 15
    assert float(restored.learning_rate) == pytest.approx(0.1)
    again = keras.optimizers.LossScaleOptimizer.from_config(ours.get_config())
    assert again.get_config() == o_cfg
    assert keras.mixed_precision.LossScaleOptimizer is keras.optimizers.LossScaleOptimizer


def test_learning_rate_and_iterations_are_the_inner_optimizers(keras):
    inner = keras.optimizers.SGD(0.5)
    opt = keras.optimizers.LossScaleOptimizer(inner)
    assert opt.learning_rate is inner.learning_rate
    opt.learning_rate = 0.25
    assert float(inner.learning_rate) == 0.25
    assert opt.iterations is inner.iterations
    assert opt.scale_loss(torch.tensor(2.0)).item() == 2.0 ** 16


def test_state_round_trip(keras):
    model, opt, _ = _train(keras, keras.optimizers.Adam(0.01), epochs=1, dynamic_growth_steps=2)
    state = opt.get_state()
    assert "dynamic_scale" in state and "inner/iterations" in state
    weights = opt.get_weights()
    clone = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), dynamic_growth_steps=2)
    clone.build(model.trainable_weights)
    clone.set_state(state)
    for a, b in zip(clone.get_weights(), weights):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs,message", [
    ({"dynamic": False}, "no longer supports `dynamic=False`"),
    ({"clipnorm": 1.0}, "does not support `clipnorm`"),
    ({"foo": 1}, "does not support arguments: `foo`"),
])
def test_invalid_arguments_like_keras(keras, real_keras, kwargs, message):
    for k in (keras, real_keras):
        with pytest.raises(ValueError, match=message):
            k.optimizers.LossScaleOptimizer(k.optimizers.SGD(), **kwargs)


def test_mixed_float16_compile_wraps_the_optimizer_like_keras(keras, real_keras):
    seen = []
    for k in (keras, real_keras):
        k.mixed_precision.set_global_policy("mixed_float16")
        try:
            model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(3), k.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            opt = model.optimizer
            stored = model.get_compile_config()["optimizer"]  # the optimizer before the wrap
            seen.append((type(opt).__name__, opt.name, type(opt.inner_optimizer).__name__,
                         stored["class_name"] if isinstance(stored, dict) else type(stored).__name__))
            model.fit(_X, _Y, batch_size=8, epochs=1, verbose=0)
            assert all(np.isfinite(w).all() for w in model.get_weights())
            model.compile(optimizer="sgd", loss="mse", auto_scale_loss=False)
            seen.append(type(model.optimizer).__name__)
        finally:
            k.mixed_precision.set_global_policy("float32")
    assert seen[0] == seen[2] == ("LossScaleOptimizer", "loss_scale_optimizer", "SGD", "SGD")
    assert seen[1] == seen[3] == "SGD"
