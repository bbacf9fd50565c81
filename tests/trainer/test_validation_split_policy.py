"""The "auto" validation_split policy: Keras's last-fraction split when the tail is representative,
a seeded stratified split (with one warning line) when labels are class-sorted or blocked, never a
shuffled split for ordered regression targets; and the switches that force one rule."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from kerastorch.trainer.data.splitting import split_validation, tail_p_value


@pytest.fixture
def restore_defaults(keras):
    yield
    keras.config.use_keras_defaults(False)


def _shuffled_labels(n=200, classes=4, seed=0):
    return np.random.default_rng(seed).integers(0, classes, size=n)


def _x(n):
    return np.arange(n, dtype="float32")[:, None] * np.ones((1, 3), dtype="float32")


def test_default_is_auto(keras):
    assert keras.config.get_default("validation_split") == "auto"


def test_shuffled_class_labels_keep_keras_split_silently(keras):
    y = _shuffled_labels()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no notice: the numbers are Keras's
        (_, yt, _), (xv, _, _) = split_validation(_x(200), y, None, 0.2, verbose=False)
    np.testing.assert_array_equal(xv[:, 0], np.arange(160, 200))
    np.testing.assert_array_equal(yt, y[:160])


def test_one_hot_shuffled_labels_keep_keras_split(keras):
    y = np.eye(5, dtype="float32")[_shuffled_labels(300, 5, seed=3)]
    (_, _, _), (xv, _, _) = split_validation(_x(300), y, None, 0.1, verbose=False)
    np.testing.assert_array_equal(xv[:, 0], np.arange(270, 300))


@pytest.mark.parametrize("layout", ["sorted", "blocked"])
def test_sorted_or_blocked_labels_switch_to_stratified_with_a_notice(keras, layout):
    if layout == "sorted":
        y = np.repeat(np.arange(4), 50)
    else:  # blocks of 20 cycling 0 1 2 3 0 1 2 3 0 1: the tail is the blocks of classes 0 and 1
        y = np.tile(np.repeat(np.arange(4), 20), 3)[:200]
    with pytest.warns(UserWarning, match="stratified by class") as record:
        (_, _, _), (_, yv, _) = split_validation(_x(200), y, None, 0.2, verbose=False)
    assert len(record) == 1 and "\n" not in str(record[0].message)
    total = np.bincount(y, minlength=4)
    np.testing.assert_array_equal(np.bincount(yv, minlength=4), np.round(total * 0.2).astype(int))


def test_time_ordered_regression_is_never_shuffled(keras):
    t = np.arange(300, dtype="float32")
    y = np.sin(t / 10.0)[:, None].astype("float32")
    with pytest.warns(UserWarning, match="look ordered"):
        (xt, _, _), (xv, _, _) = split_validation(_x(300), y, None, 0.25, verbose=False)
    np.testing.assert_array_equal(xv[:, 0], np.arange(225, 300))
    np.testing.assert_array_equal(xt[:, 0], np.arange(225))


def test_unordered_regression_keeps_keras_split_silently(keras):
    y = np.random.default_rng(0).normal(size=(100, 2)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (_, _, _), (xv, _, _) = split_validation(_x(100), y, None, 0.3, verbose=False)
    np.testing.assert_array_equal(xv[:, 0], np.arange(70, 100))


def test_switches_force_one_rule(keras, restore_defaults):
    y = np.repeat(np.arange(4), 50)
    keras.config.set_default("validation_split", "last")
    (_, _, _), (xv, _, _) = split_validation(_x(200), y, None, 0.2, verbose=False)
    np.testing.assert_array_equal(xv[:, 0], np.arange(160, 200))
    keras.config.set_default("validation_split", "random")
    shuffled = _shuffled_labels()
    (_, _, _), (xv, _, _) = split_validation(_x(200), shuffled, None, 0.2, verbose=False)
    assert len(xv) == 40 and not np.array_equal(xv[:, 0], np.arange(160, 200))
    keras.config.set_default("validation_split", "stratified")
    (_, _, _), (_, yv, _) = split_validation(_x(200), shuffled, None, 0.2, verbose=False)
    np.testing.assert_array_equal(np.bincount(yv), np.round(np.bincount(shuffled) * 0.2).astype(int))
    keras.config.use_keras_defaults()
    assert keras.config.get_default("validation_split") == "last"
    with pytest.raises(ValueError, match="validation_split"):
        keras.config.set_default("validation_split", "tail")


def test_tail_p_value_separates_random_from_sorted():
    rng = np.random.default_rng(0)
    p_random = [tail_p_value(rng.integers(0, 3, size=150), 120) for _ in range(200)]
    assert min(p_random) > 1e-5
    assert tail_p_value(np.repeat(np.arange(3), 50), 120) < 1e-10


def test_fit_on_shuffled_data_gives_real_keras_numbers(keras):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    real = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = rng.integers(0, 3, size=60)
    histories = []
    weights = [rng.normal(size=(4, 3)).astype("float32") * 0.5, np.zeros(3, "float32")]
    for lib in (keras, real):
        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax")])
        model.set_weights(weights)
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["acc"])
        histories.append(model.fit(x, y, validation_split=0.25, epochs=2, batch_size=15, shuffle=False,
                                   verbose=0).history)
    for key in ("loss", "val_loss", "val_acc"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-5, err_msg=key)
