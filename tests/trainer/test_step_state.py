"""The trainer's StepState: always present, stale after trainable changes / compile / add_loss."""
from __future__ import annotations

import numpy as np
import pytest
import torch


def _data():
    rng = np.random.default_rng(1)
    return rng.random((64, 4)).astype("float32"), rng.random((64, 1)).astype("float32")


def _unfreeze_run(k, weights, prebuild=True):
    """Review A.1: a callback unfreezes "body" at the start of epoch 1 of a 3-epoch fit."""
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(8, name="body"), k.layers.Dense(1, name="head")])
    model.set_weights(weights)
    model.compile(optimizer=k.optimizers.SGD(0.1), loss="mse")
    if prebuild:  # Keras's optimizer refuses variables it was not built with; kerastorch adds them
        model.optimizer.build(model.trainable_variables)
    model.get_layer("body").trainable = False

    class Unfreeze(k.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.model.get_layer("body").trainable = True
                self.w_at_unfreeze = self.model.get_layer("body").get_weights()[0].copy()

    cb = Unfreeze()
    x, y = _data()
    model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0, callbacks=[cb])
    return cb.w_at_unfreeze, model.get_weights()


def test_unfreezing_from_a_callback_trains_the_layer_in_the_same_fit(keras, real_keras):
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype("float32") * 0.3 for s in [(4, 8), (8,), (8, 1), (1,)]]
    w_unfreeze, ours = _unfreeze_run(keras, weights)
    assert not np.allclose(w_unfreeze, ours[0])  # the body trained during epochs 1 and 2
    np.testing.assert_allclose(w_unfreeze, weights[0])  # ... and not during epoch 0
    _, theirs = _unfreeze_run(real_keras, weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # Without building the optimizer first (Keras raises "Unknown variable"), the same numbers.
    _, unbuilt = _unfreeze_run(keras, weights, prebuild=False)
    for a, b in zip(unbuilt, ours):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_freezing_mid_fit_stops_updates_at_once(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, name="body"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen = {}

    class Freeze(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.get_layer("body").trainable = False
                seen["w"] = self.model.get_layer("body").get_weights()[0].copy()

    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[Freeze()])
    np.testing.assert_array_equal(seen["w"], model.get_layer("body").get_weights()[0])


@pytest.mark.parametrize("method", ["train_step", "test_step", "predict_step", "train_on_batch",
                                    "test_on_batch", "predict_on_batch"])
def test_steps_work_after_compile_before_any_fit(keras, method):
    """Review A.2: these raised AttributeError ('_loss_scaler') before the first fit."""
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = _data()
    x16, y16 = torch.as_tensor(x[:16]), torch.as_tensor(y[:16])
    before = model.get_weights()
    if method in ("train_step", "test_step"):
        logs = getattr(model, method)((x16, y16))
        assert len(dict(logs)) == 2 and "loss" in logs
    elif method == "predict_step":
        assert tuple(model.predict_step((x16,)).shape) == (16, 1)
    elif method == "predict_on_batch":
        assert model.predict_on_batch(x[:16]).shape == (16, 1)
    else:
        out = getattr(model, method)(x[:16], y[:16])
        assert len(out) == 2 and all(np.isfinite(out))
    changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert changed == (method in ("train_step", "train_on_batch"))


def test_compile_and_unfreeze_rebuild_the_state(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, name="a"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    model.train_on_batch(x, y)
    state = model._step_state()
    assert model._step_state() is state  # nothing changed: the same object, no re-listing
    assert len(state.params) == 4
    model.freeze()
    assert len(model._step_state().params) == 2
    model.unfreeze()
    assert len(model._step_state().params) == 4
    model.compile(optimizer="sgd", loss="mse")
    assert model._step_state() is not state


def test_builtin_layer_that_adds_a_loss_is_counted(keras):
    """Review 2.6: losses were collected only from layers with regularizers or from modules outside
    kerastorch; a built-in layer calling add_loss had its loss dropped."""

    class Penalised(keras.layers.Dense):
        def call(self, inputs):
            out = super().call(inputs)
            self.add_loss(100.0 * torch.mean(out ** 2))
            return out

    # Posing as a built-in layer: its class lives in a kerastorch module.
    Penalised.__module__ = "kerastorch.layers.core.dense"
    model = keras.Sequential([keras.Input(shape=(4,)), Penalised(2, name="p")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = _data()
    y = np.zeros((64, 2), "float32")
    with_penalty = model.evaluate(x, y, verbose=0)
    y_pred = model.predict(x, verbose=0)
    mse = float(np.mean(y_pred ** 2))
    assert with_penalty == pytest.approx(mse + 100.0 * mse, rel=1e-4)


def test_kernel_regularizer_losses_are_counted(keras):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(1.0))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, _ = _data()
    y = np.zeros((64, 2), "float32")
    loss = model.evaluate(x, y, batch_size=64, verbose=0)
    out = model.predict(x, verbose=0)
    kernel = model.layers[0].get_weights()[0]
    assert loss == pytest.approx(float(np.mean(out ** 2) + np.sum(kernel ** 2)), rel=1e-4)


def test_a_new_dtype_policy_is_seen_by_the_next_fit(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    model.fit(x, y, verbose=0)
    assert model._step_state().autocast_dtype is None
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model.fit(x, y, verbose=0)
        assert model._step_state().autocast_dtype == torch.bfloat16
    finally:
        keras.mixed_precision.set_global_policy("float32")
