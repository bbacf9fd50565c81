"""validation_split (seeded stratified default vs Keras's "last"), no shuffling outside training,
shuffle warnings and drop_remainder."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from kerastorch.trainer.data.splitting import split_validation


@pytest.fixture
def restore_defaults(keras):
    yield
    keras.config.use_keras_defaults(False)


def _sorted_data(n_per_class=20, classes=5):
    y = np.repeat(np.arange(classes), n_per_class)  # sorted by class, like many datasets on disk
    x = np.arange(len(y), dtype="float32")[:, None] * np.ones((1, 3), dtype="float32")
    return x, y


def test_last_split_is_one_class_default_is_stratified(keras, restore_defaults):
    x, y = _sorted_data()
    keras.config.set_default("validation_split", "last")
    (_, ytr, _), (xv, yv, _) = split_validation(x, y, None, 0.2, verbose=False)
    assert set(yv.tolist()) == {4} and 4 not in set(ytr.tolist())
    np.testing.assert_array_equal(xv[:, 0], np.arange(80, 100))  # the last 20%, in order

    keras.config.set_default("validation_split", "stratified")
    (xt, ytr, _), (xv, yv, _) = split_validation(x, y, None, 0.2, verbose=False)
    assert np.bincount(yv).tolist() == [4] * 5 and np.bincount(ytr).tolist() == [16] * 5
    assert sorted(xt[:, 0].tolist() + xv[:, 0].tolist()) == list(range(100))  # a partition
    assert np.all(np.diff(xv[:, 0]) > 0)  # kept in the original order
    (_, _, _), (xv2, _, _) = split_validation(x, y, None, 0.2, verbose=False)
    np.testing.assert_array_equal(xv, xv2)  # seeded: the same split every time

    keras.config.use_keras_defaults()
    (_, _, _), (_, yv, _) = split_validation(x, y, None, 0.2, verbose=False)
    assert set(yv.tolist()) == {4}


def test_one_hot_and_unequal_classes_stay_in_proportion(keras):
    y = np.repeat([0, 1, 2], [50, 30, 20])
    onehot = np.eye(3, dtype="float32")[y]
    x = np.zeros((100, 2), dtype="float32")
    (_, _, _), (_, yv, _) = split_validation(x, onehot, None, 0.1, verbose=False)
    assert yv.sum(axis=0).tolist() == [5, 3, 2]


class _Recorder:
    """A layer that records the first feature of every inference-mode batch it sees."""

    def __init__(self, keras):
        seen = self.seen = []

        class Record(keras.layers.Layer):
            def call(self, inputs, training=None):
                if not training:
                    seen.append(inputs[:, 0].detach().clone())
                return inputs

        self.layer = Record()


def test_validation_evaluate_and_predict_are_never_shuffled(keras):
    rec = _Recorder(keras)
    model = keras.Sequential([keras.Input(shape=(3,)), rec.layer, keras.layers.Dense(5, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = _sorted_data()
    rec.seen.clear()  # building the model ran the layer once
    history = model.fit(x, y, validation_split=0.2, batch_size=7, epochs=2, verbose=0)
    seen = torch.cat(rec.seen).numpy()
    half = len(seen) // 2
    assert np.all(np.diff(seen[:half]) > 0) and np.array_equal(seen[:half], seen[half:])
    # fit's validation data is the stratified split, evaluated in order.
    (_, _, _), (xv, yv, _) = split_validation(x, y, None, 0.2, verbose=False)
    np.testing.assert_array_equal(seen[:half], xv[:, 0])
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(xv, yv, verbose=0), rel=1e-5)
    rec.seen.clear()
    model.predict(x, batch_size=9, verbose=0)
    np.testing.assert_array_equal(torch.cat(rec.seen).numpy(), x[:, 0])


def _tiny(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


def test_shuffle_warning_for_a_generator(keras):
    def gen():
        for _ in range(3):
            yield np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    with pytest.warns(UserWarning, match="generator"):
        _tiny(keras).fit(gen(), epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _tiny(keras).fit(gen(), epochs=1, verbose=0, shuffle=False)


def test_shuffle_warning_for_a_sequential_dataloader(keras):
    ds = torch.utils.data.TensorDataset(torch.ones(8, 3), torch.ones(8, 2))
    with pytest.warns(UserWarning, match="sequential sampler"):
        _tiny(keras).fit(torch.utils.data.DataLoader(ds, batch_size=4), epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _tiny(keras).fit(torch.utils.data.DataLoader(ds, batch_size=4, shuffle=True), epochs=1, verbose=0)


def test_shuffle_warning_for_a_stateful_rnn(keras):
    if not hasattr(keras.layers, "LSTM"):
        pytest.skip("kerastorch.layers.LSTM is not available")
    try:
        model = keras.Sequential([keras.Input(shape=(5, 3), batch_size=4), keras.layers.LSTM(2, stateful=True)])
    except (TypeError, ValueError, NotImplementedError) as e:
        pytest.skip(f"stateful LSTM not supported: {e}")
    model.compile("sgd", "mse")
    rec = []
    x = np.arange(8 * 5 * 3, dtype="float32").reshape(8, 5, 3) / 100
    with pytest.warns(UserWarning, match="stateful"):
        model.fit(x, np.zeros((8, 2), "float32"), batch_size=4, epochs=1, verbose=0,
                  callbacks=[keras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: rec.append(b))])
    assert rec == [0, 1]


def test_drop_remainder(keras):
    x, y = np.zeros((70, 3), "float32"), np.zeros((70, 2), "float32")
    model = _tiny(keras)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, drop_remainder=True)
    assert int(model.optimizer.iterations) == 4
    model = _tiny(keras)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 6
