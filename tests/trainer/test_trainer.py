"""Trainer behaviour checked against real Keras 3 on torch: EMA at the end of fit,
steps_per_execution, loss scaling through the optimizer, the weight-decay default at compile."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch


def _data(n=64):
    rng = np.random.default_rng(3)
    return rng.random((n, 4)).astype("float32"), rng.random((n, 1)).astype("float32")


_WEIGHTS = [np.random.default_rng(7).normal(size=s).astype("float32") * 0.4 for s in [(4, 6), (6,), (6, 1), (1,)]]


def _fit(k, optimizer, epochs=2, **compile_kwargs):
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(6, activation="tanh"), k.layers.Dense(1)])
    model.set_weights(_WEIGHTS)
    model.compile(optimizer=optimizer, loss="mse", **compile_kwargs)
    x, y = _data()
    history = model.fit(x, y, epochs=epochs, batch_size=16, shuffle=False, verbose=0)
    return model, history


def test_fit_ends_with_the_ema_weights_like_keras(keras, real_keras):
    """Review A.4: Keras 3's torch fit calls optimizer.finalize_variable_values(trainable_weights)."""
    ours, _ = _fit(keras, keras.optimizers.SGD(0.1, use_ema=True))
    theirs, _ = _fit(real_keras, real_keras.optimizers.SGD(0.1, use_ema=True))
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    ema = ours.optimizer._ema
    for w, e in zip(ours.trainable_weights, ema):
        torch.testing.assert_close(w.detach(), e)
    # Without EMA the weights are those of the last step, not averages.
    plain, _ = _fit(keras, keras.optimizers.SGD(0.1))
    assert not np.allclose(plain.get_weights()[0], ours.get_weights()[0])


def test_fit_with_zero_epochs_leaves_the_weights_alone(keras):
    model, _ = _fit(keras, keras.optimizers.SGD(0.1, use_ema=True), epochs=0)
    for a, b in zip(model.get_weights(), _WEIGHTS):
        np.testing.assert_array_equal(a, b)


def test_steps_per_execution_other_than_one_is_refused_like_keras_on_torch(keras, real_keras):
    """Keras's torch backend refuses steps_per_execution > 1 when it makes a step function
    (fit, evaluate, predict, *_on_batch), with this ValueError; compile accepts it."""
    x, y = _data(8)
    messages = []
    for k in (keras, real_keras):
        model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=4)
        assert model.steps_per_execution == 4
        for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                     lambda: model.predict(x, verbose=0), lambda: model.train_on_batch(x, y)):
            with pytest.raises(ValueError) as info:
                call()
            messages.append(str(info.value))
    assert messages[:4] == messages[4:]
    assert messages[0] == "`steps_per_execution` must be 1 with the PyTorch backend. Received: steps_per_execution=4"


def test_loss_scale_factor_scales_the_loss_and_unscales_the_gradients_like_keras(keras, real_keras):
    """train_step calls optimizer.scale_loss before backward (it did not: gradients were divided
    by loss_scale_factor without the loss having been multiplied)."""
    ours, hist = _fit(keras, keras.optimizers.SGD(0.1, loss_scale_factor=8.0))
    theirs, their_hist = _fit(real_keras, real_keras.optimizers.SGD(0.1, loss_scale_factor=8.0))
    plain, _ = _fit(keras, keras.optimizers.SGD(0.1))
    for a, b, c in zip(ours.get_weights(), theirs.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hist.history["loss"], their_hist.history["loss"], rtol=1e-5)


def test_weight_decay_default_is_set_once_at_compile(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.BatchNormalization(),
                              keras.layers.Dense(1)])
    opt = keras.optimizers.AdamW(weight_decay=0.1)
    model.compile(optimizer=opt, loss="mse")
    # Decided at compile, before any fit, for every 1-D weight (trainable or not yet).
    for w in model.weights:
        assert opt._use_weight_decay(w) == (w.ndim > 1)
    # The user's own exclusions replace the default and survive later fits.
    kernel = model.layers[0].kernel
    opt.exclude_from_weight_decay(var_list=[kernel])
    x, y = _data()
    model.fit(x, y, verbose=0)
    assert not opt._use_weight_decay(kernel)
    assert opt._use_weight_decay(model.layers[0].bias)
    # An optimizer without weight decay is left untouched.
    sgd = keras.optimizers.SGD()
    model.compile(optimizer=sgd, loss="mse")
    assert not sgd._decay_skips_1d


def test_keras_defaults_switch_turns_the_decay_default_off(keras):
    keras.config.use_keras_defaults(True)
    try:
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
        opt = keras.optimizers.AdamW(weight_decay=0.1)
        model.compile(optimizer=opt, loss="mse")
        assert opt._use_weight_decay(model.layers[0].bias)
    finally:
        keras.config.use_keras_defaults(False)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_unknown_keyword_lists_the_valid_arguments(keras, method):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data(8)
    args = (x,) if method == "predict" else (x, y)
    with pytest.raises(TypeError, match=r"Invalid keyword argument\(s\) in `" + method + r"\(\)`: \['bacth_size'\]. "
                                        r"Valid arguments: x, .*batch_size"):
        getattr(model, method)(*args, bacth_size=4)
    getattr(model, method)(*args, verbose=0, workers=4, use_multiprocessing=True)  # Keras 2 arguments: dropped


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_docstrings_document_every_argument_and_hints_cover_them(keras, method):
    fn = getattr(keras.Model, method)
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "kwargs")]
    doc = fn.__doc__
    assert "Args:" in doc and "Returns:" in doc
    for name in params:
        assert f"\n            {name}: " in doc, name
        assert name in fn.__annotations__, name
    assert "return" in fn.__annotations__


def test_one_batch_loop_serves_every_entry_point(keras, monkeypatch):
    from kerastorch.trainer import loop, trainer
    calls = []
    real = loop.run_epoch

    def spy(model, step, batches, mode, callbacks=None):
        calls.append(mode)
        return real(model, step, batches, mode, callbacks)

    monkeypatch.setattr(trainer, "run_epoch", spy)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data(8)
    model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    model.train_on_batch(x, y)
    model.test_on_batch(x, y)
    model.predict_on_batch(x)
    assert calls == ["train", "test", "train", "test", "test", "predict", "train", "test", "predict"]


def test_batch_hooks_see_every_batch_index_like_keras(keras, real_keras):
    x, y = _data(40)
    seen = {}
    for name, k in (("ours", keras), ("theirs", real_keras)):
        model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        record = []

        class Record(k.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                record.append(("train", batch, sorted(logs)))

            def on_test_batch_end(self, batch, logs=None):
                record.append(("test", batch, sorted(logs)))

            def on_predict_batch_end(self, batch, logs=None):
                record.append(("predict", batch, sorted(logs)))

        model.fit(x, y, batch_size=16, epochs=2, validation_data=(x[:20], y[:20]), callbacks=[Record()],
                  verbose=0)
        model.predict(x, batch_size=16, callbacks=[Record()], verbose=0)
        seen[name] = record
    assert seen["ours"] == seen["theirs"]


def test_lr_find_copies_a_loss_scale_optimizer(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=8.0)
    model.compile(optimizer=opt, loss="mse")
    x, y = _data()
    before = model.get_weights()
    result = model.lr_find(x, y, batch_size=8, num_steps=6, diverge_threshold=None)
    assert len(result.learning_rates) == 6
    assert model.optimizer is opt and float(opt.dynamic_scale) == 8.0 and int(opt.iterations) == 0
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
