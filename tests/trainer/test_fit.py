"""compile / fit / evaluate / predict with Keras semantics, and their error messages."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch


def test_history_keys_and_values(tiny_model):
    model, x, y = tiny_model
    history = model.fit(x, y, epochs=3, batch_size=16, validation_data=(x, y), verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # sorted, as Keras logs
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}


def test_epoch_loss_is_sample_weighted_mean_of_batch_losses(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    model.set_weights([np.ones((2, 1), "float32")])
    x = np.arange(10, dtype="float32").reshape(5, 2)
    y = np.zeros((5, 1), "float32")
    history = model.fit(x, y, batch_size=2, epochs=1, shuffle=False, verbose=0)
    expected = np.mean((x.sum(1)) ** 2)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)


def test_verbose_modes_print_keras_lines(tiny_model, capsys):
    model, x, y = tiny_model
    model.fit(x, y, epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2 - " in out and "loss: " in out
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert capsys.readouterr().out == ""


def test_sample_and_class_weights_change_the_loss(tiny_model):
    model, x, y = tiny_model
    base = model.evaluate(x, y, verbose=0)[0]
    weighted = model.evaluate(x, y, sample_weight=np.where(y == 0, 0.0, 1.0), verbose=0)[0]
    assert weighted != pytest.approx(base)
    model.fit(x, y, class_weight={0: 0.0, 1: 1.0, 2: 1.0}, epochs=1, verbose=0)


def test_generator_sequence_and_dataloader_inputs(tiny_model, keras):
    model, x, y = tiny_model

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]

    h = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    model.fit(Batches(), epochs=1, verbose=0)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=16, shuffle=True)
    model.fit(loader, epochs=1, verbose=0)
    assert model.evaluate(loader, verbose=0)[0] > 0
    assert model.predict(Batches(), verbose=0).shape == (64, 3)


def test_multi_output_losses_by_name(keras):
    inp = keras.Input(shape=(3,))
    a = keras.layers.Dense(1, name="reg")(inp)
    b = keras.layers.Dense(2, activation="softmax", name="cls")(inp)
    model = keras.Model(inp, [a, b])
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 1.0}, metrics={"cls": ["accuracy"]})
    x = np.random.rand(32, 3).astype("float32")
    ys = {"reg": np.random.rand(32, 1).astype("float32"), "cls": np.random.randint(0, 2, 32)}
    h = model.fit(x, ys, epochs=1, verbose=0)
    assert set(h.history) == {"loss", "reg_loss", "cls_loss", "cls_accuracy"}
    logs = model.evaluate(x, [ys["reg"], ys["cls"]], return_dict=True, verbose=0)
    assert logs["loss"] == pytest.approx(0.5 * logs["reg_loss"] + logs["cls_loss"], rel=1e-5)
    preds = model.predict(x, verbose=0)
    assert [p.shape for p in preds] == [(32, 1), (32, 2)]


def test_accuracy_resolves_like_keras(keras):
    x = np.random.rand(16, 3).astype("float32")
    binary = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    binary.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    logs = binary.evaluate(x, np.ones((16, 1)), return_dict=True, verbose=0)
    preds = binary.predict(x, verbose=0)
    assert logs["accuracy"] == pytest.approx(float(np.mean(preds > 0.5)))
    onehot = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="softmax")])
    onehot.compile("sgd", "categorical_crossentropy", metrics=["acc"])
    y = np.eye(4)[np.random.randint(0, 4, 16)]
    logs = onehot.evaluate(x, y, return_dict=True, verbose=0)
    assert logs["acc"] == pytest.approx(float(np.mean(onehot.predict(x, verbose=0).argmax(1) == y.argmax(1))))


def test_train_test_predict_on_batch(tiny_model):
    model, x, y = tiny_model
    loss, acc = model.train_on_batch(x, y)
    assert math.isfinite(loss) and 0 <= acc <= 1
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (64, 3)


def test_custom_train_step_keras3_torch_style(keras):
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae = keras.metrics.MeanAbsoluteError(name="mae")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            self.zero_grad()
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            loss.backward()
            weights = self.trainable_weights
            grads = [v.value.grad for v in weights]
            with torch.no_grad():
                self.optimizer.apply(grads, weights)
            self.loss_tracker.update_state(loss)
            self.mae.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae]

    model = Custom()
    model.compile(optimizer="adam", loss="mse")
    x = np.random.rand(64, 2).astype("float32")
    y = x.sum(1, keepdims=True)
    h = model.fit(x, y, epochs=3, verbose=0)
    assert set(h.history) == {"loss", "mae"}
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert keras.backend.backend() == "torch"


def test_regularization_losses_are_added(keras):
    model = keras.Sequential([keras.Input(shape=(2,)),
                              keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(1.0), use_bias=False)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    model.set_weights([np.array([[1.0], [2.0]], "float32")])
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    h = model.fit(x, y, epochs=1, verbose=0)
    assert h.history["loss"][0] == pytest.approx(5.0)


def test_learning_rate_settable_during_training(tiny_model, keras):
    model, x, y = tiny_model
    seen = []
    def decay(epoch, logs):
        model.optimizer.learning_rate = 0.1 / (epoch + 1)

    def record(epoch, logs):
        seen.append(float(model.optimizer.learning_rate))

    cb = keras.callbacks.LambdaCallback(on_epoch_begin=decay, on_epoch_end=record)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[cb])
    assert seen == pytest.approx([0.1, 0.05])


def test_early_stopping_and_stop_training(tiny_model, keras):
    model, x, y = tiny_model
    stop = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, l: setattr(model, "stop_training", e == 1))
    h = model.fit(x, y, epochs=10, verbose=0, callbacks=[stop])
    assert len(h.history["loss"]) == 2


def test_mixed_precision_bfloat16_trains(keras):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile("adam", "mse")
        h = model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, verbose=0)
        assert all(math.isfinite(v) for v in h.history["loss"])
        assert model.layers[0].kernel.dtype == torch.float32
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_keras2_optimizer_spellings_warn(keras):
    with pytest.warns(DeprecationWarning):
        opt = keras.optimizers.SGD(lr=0.5)
    assert float(opt.learning_rate) == pytest.approx(0.5)


# ---------------------------------------------------------------- errors
def test_fit_before_compile(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)


def test_mismatched_lengths(tiny_model):
    model, x, y = tiny_model
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:10], verbose=0)


def test_unknown_loss_lists_valid_names(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="mean_squared_error"):
        model.compile("adam", loss="mean_sqared_error")
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)


def test_wrong_label_shape_for_loss(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"shape"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 5)), verbose=0)


def test_nan_loss_terminates(keras):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e30), "mse")
    x = np.full((8, 1), 1e10, "float32")
    h = model.fit(x, x, epochs=5, batch_size=1, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1


def test_generator_with_wrong_structure(tiny_model):
    model, x, y = tiny_model

    def bad():
        while True:
            yield "not a batch"

    with pytest.raises(ValueError, match="must yield"):
        model.fit(bad(), steps_per_epoch=2, verbose=0)
