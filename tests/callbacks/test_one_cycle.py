"""OneCycleScheduler: the schedule's shape, momentum cycling and what it logs."""
from __future__ import annotations

import math

import numpy as np
import pytest


def test_schedule_shape_at_chosen_steps(keras):
    cb = keras.callbacks.OneCycleScheduler(max_lr=1.0, total_steps=201, div_factor=25.0, final_div_factor=1e4,
                                           pct_start=0.25)
    assert cb.lr_at(0) == pytest.approx(1 / 25)
    assert cb.lr_at(50) == pytest.approx(1.0)  # the peak, at pct_start
    assert cb.lr_at(200) == pytest.approx(1 / 25 / 1e4)
    assert cb.lr_at(500) == pytest.approx(1 / 25 / 1e4)  # held after the cycle
    # Half-cosine warm-up and annealing: halfway through each phase is the mean of its ends.
    assert cb.lr_at(25) == pytest.approx((1 / 25 + 1.0) / 2)
    assert cb.lr_at(125) == pytest.approx((1.0 + cb.final_lr) / 2)
    # ... and a cosine in between: a quarter of the way up is (1 - cos(pi/4)) / 2 of the rise.
    assert cb.lr_at(12.5) == pytest.approx(1 / 25 + (1 - 1 / 25) * (1 - math.cos(math.pi / 4)) / 2)
    lrs = [cb.lr_at(i) for i in range(201)]
    assert np.all(np.diff(lrs[:51]) > 0) and np.all(np.diff(lrs[50:]) < 0)
    # Momentum goes the other way.
    assert cb.momentum_at(0) == pytest.approx(0.95)
    assert cb.momentum_at(25) == pytest.approx(0.90)
    assert cb.momentum_at(50) == pytest.approx(0.85)
    assert cb.momentum_at(200) == pytest.approx(0.95)
    lin = keras.callbacks.OneCycleScheduler(max_lr=1.0, total_steps=11, pct_start=0.5, anneal="linear",
                                            div_factor=10.0, final_div_factor=1.0)
    assert lin.lr_at(0) == pytest.approx(0.1) and lin.lr_at(5) == pytest.approx(1.0)
    assert lin.lr_at(3) == pytest.approx(0.1 + 0.9 * 3 / 5) and lin.lr_at(10) == pytest.approx(0.1)


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    return x, y


def _model(keras, optimizer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def test_fit_sets_lr_and_beta_1_per_batch_and_logs_them(keras):
    x, y = _data()
    model = _model(keras, keras.optimizers.Adam())
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append((float(model.optimizer.learning_rate),
                                                        model.optimizer.beta_1)))
    cb = keras.callbacks.OneCycleScheduler(max_lr=0.1)
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[cb, probe])
    total = 3 * 4  # total_steps from epochs * steps per epoch
    assert len(seen) == total == len(cb.learning_rates)
    expected = [(cb.lr_at(i, total), cb.momentum_at(i, total)) for i in range(total)]
    np.testing.assert_allclose([s[0] for s in seen], [e[0] for e in expected], rtol=1e-6)
    np.testing.assert_allclose([s[1] for s in seen], [e[1] for e in expected])
    assert history.history["learning_rate"] == pytest.approx([cb.learning_rates[i] for i in (3, 7, 11)])
    assert history.history["momentum"] == pytest.approx([cb.momentums[i] for i in (3, 7, 11)])
    assert cb.learning_rates[-1] == pytest.approx(0.1 / 25 / 1e4)


def test_momentum_cycling_for_sgd_and_none_without_momentum(keras):
    x, y = _data()
    model = _model(keras, keras.optimizers.SGD(momentum=0.9))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0,
              callbacks=[keras.callbacks.OneCycleScheduler(max_lr=0.1, moms=(0.95, 0.85))])
    assert model.optimizer.momentum == pytest.approx(0.95)
    plain = _model(keras, keras.optimizers.SGD())
    cb = keras.callbacks.OneCycleScheduler(max_lr=0.1)
    history = plain.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    assert plain.optimizer.momentum == 0.0 and cb.momentums == [] and "momentum" not in history.history


def test_one_cycle_refuses_a_schedule_and_schedules_still_work(keras):
    x, y = _data()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    model = _model(keras, keras.optimizers.SGD(learning_rate=schedule))
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        model.fit(x, y, batch_size=16, epochs=1, verbose=0,
                  callbacks=[keras.callbacks.OneCycleScheduler(max_lr=0.1)])
    model = _model(keras, keras.optimizers.SGD(learning_rate=schedule))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1 * 0.5 ** 4)


def test_fit_one_cycle_with_and_without_max_lr(keras):
    x, y = _data()
    model = _model(keras, "adam")
    history = model.fit_one_cycle(x, y, epochs=2, max_lr=0.05, batch_size=16, verbose=0)
    assert len(history.history["learning_rate"]) == 2
    model = _model(keras, "adam")
    history = model.fit_one_cycle(x, y, epochs=1, batch_size=16, verbose=0, lr_find_kwargs={"num_steps": 20})
    suggestion = model.lr_find_result.suggestion
    assert isinstance(suggestion, float) and suggestion > 0
    assert max(history.history["learning_rate"]) <= suggestion
