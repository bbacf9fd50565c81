"""model.lr_find: the range test leaves the model exactly as it was and returns a usable result."""
from __future__ import annotations

import numpy as np
import pytest
import torch


def _model(keras, optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        keras.layers.Dense(16, activation="relu", name="hidden"),
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")
    return model, x, y


def _tensors(model):
    return [t.detach().clone() for t in list(model.parameters()) + list(model.buffers())]


def test_lr_find_restores_everything_bit_identically(keras):
    opt = keras.optimizers.Adam(learning_rate=3e-3, weight_decay=1e-2)
    model, x, y = _model(keras, opt)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)  # built optimizer, iterations > 0, moved BN stats
    weights, state = _tensors(model), opt.get_state()
    grads = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    history = model.history
    rng_before = model._get_rng_state()

    result = model.lr_find(x, y, batch_size=16, num_steps=40)

    assert model.optimizer is opt
    assert all(torch.equal(a, b) for a, b in zip(weights, _tensors(model)))
    after = opt.get_state()
    assert set(after) == set(state) and all(torch.equal(state[k], after[k]) for k in state)
    assert int(opt.iterations) == 4 and float(opt.learning_rate) == pytest.approx(3e-3)
    for g, p in zip(grads, model.parameters()):
        assert (g is None and p.grad is None) or torch.equal(g, p.grad)
    assert model.history is history and not model.stop_training
    # The RNGs are restored too: what follows lr_find is what would have followed without it.
    assert torch.equal(torch.get_rng_state(), rng_before["torch"])
    assert len(result.learning_rates) == len(result.losses) == len(result.raw_losses) > 0


def test_lr_find_on_an_unbuilt_optimizer_and_a_schedule(keras):
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=10, decay_rate=0.5)
    model, x, y = _model(keras, keras.optimizers.SGD(learning_rate=schedule, momentum=0.9))
    weights = _tensors(model)
    model.lr_find(x, y, batch_size=32, num_steps=12)
    assert not model.optimizer.built and int(model.optimizer.iterations) == 0
    assert model.optimizer._learning_rate is schedule
    assert all(torch.equal(a, b) for a, b in zip(weights, _tensors(model)))


def test_lr_find_curve_and_suggestion(keras):
    model, x, y = _model(keras, "adam")
    result = model.lr_find(x, y, batch_size=16, start_lr=1e-5, end_lr=10.0, num_steps=60)
    lrs = np.asarray(result.learning_rates)
    assert lrs[0] == pytest.approx(1e-5)
    assert np.all(np.diff(np.log(lrs)) > 0) and np.allclose(np.diff(np.log(lrs)), np.log(1e6) / 59)
    assert isinstance(result.suggestion, float) and 1e-5 <= result.suggestion <= 10.0
    assert set(result.suggestions) == {"valley", "steep", "minimum"}
    assert all(1e-6 <= v <= 10.0 for v in result.suggestions.values())
    # Smoothed: the first value is the first raw loss (bias-corrected moving average), and it is smoother.
    assert result.losses[0] == pytest.approx(result.raw_losses[0])
    assert np.std(np.diff(result.losses)) < np.std(np.diff(result.raw_losses))
    # Stopped on divergence (smoothed loss > 4x the best) or after num_steps.
    if result.diverged:
        assert result.losses[-1] > 4 * min(result.losses[:-1]) or not np.isfinite(result.losses[-1])
    else:
        assert len(result.losses) == 60


def test_lr_find_stops_on_divergence_and_plot_message(keras):
    model, x, y = _model(keras, keras.optimizers.SGD())
    result = model.lr_find(x, y, batch_size=16, start_lr=1e-3, end_lr=1e4, num_steps=100, smoothing=0.5)
    assert result.diverged and len(result.losses) < 100
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="matplotlib"):
            result.plot()


def test_lr_find_rejects_bad_arguments(keras):
    model, x, y = _model(keras, "adam")
    with pytest.raises(TypeError, match="validation_split"):
        model.lr_find(x, y, validation_split=0.2)
    with pytest.raises(ValueError, match="start_lr"):
        model.lr_find(x, y, start_lr=1.0, end_lr=0.1)


def test_lr_find_on_a_model_built_by_its_first_call(keras):
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x[:, :2] * 2

    def fresh():
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(2)])  # no Input: unbuilt
        model.compile("adam", "mse")
        return model

    reference = fresh()
    reference(x[:2])
    model = fresh()
    model.lr_find(x, y, batch_size=16, num_steps=8)
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
