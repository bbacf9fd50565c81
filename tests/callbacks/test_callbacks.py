"""Callbacks driven by hand through CallbackList with a tiny fake model."""
import math
import os

import numpy as np
import pytest
import torch

from kerastorch.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgbarLogger,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from kerastorch.callbacks.callback import to_float


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self._lr = learning_rate

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = float(value)


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]
        self.optimizer = FakeOptimizer()
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, path):
        with open(path, "w") as f:
            f.write("model")
        self.saved.append(("model", os.path.basename(path)))

    def save_weights(self, path):
        with open(path, "w") as f:
            f.write("weights")
        self.saved.append(("weights", os.path.basename(path)))


def fit(callbacks, values, key="val_loss", model=None, batches=2, batch_logs=None):
    """Runs epochs like the trainer; weights equal the epoch index. Returns
    (model, number of epochs run, CallbackList)."""
    model = model or FakeModel()
    cbs = CallbackList(callbacks, add_history=True, model=model,
                       verbose=0, epochs=len(values), steps=batches)
    cbs.on_train_begin()
    ran = 0
    logs = {}
    for epoch, value in enumerate(values):
        cbs.on_epoch_begin(epoch)
        for b in range(batches):
            cbs.on_train_batch_begin(b)
            cbs.on_train_batch_end(b, dict(batch_logs or {"loss": torch.tensor(0.5)}))
        model.weights = [np.full(2, float(epoch))]
        logs = {key: value}
        cbs.on_epoch_end(epoch, logs)
        ran += 1
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model, ran, cbs


# -- to_float / CallbackList -------------------------------------------------

def test_to_float_accepts_lazy_values():
    assert to_float(torch.tensor(1.5)) == 1.5
    assert to_float(lambda: torch.tensor(2.0)) == 2.0
    assert to_float(np.float32(0.25)) == 0.25
    with pytest.raises(ValueError):
        to_float(torch.ones(3))


class _Untouchable(dict):
    def items(self):
        raise AssertionError("logs were read although no callback needs them")

    def get(self, *a):
        raise AssertionError("logs were read although no callback needs them")


def test_batch_hooks_skipped_when_nobody_overrides_them():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.seen = epoch

    cbs = CallbackList([EpochOnly(), EarlyStopping(monitor="loss")], add_history=True,
                       model=FakeModel())
    assert cbs._targets["on_train_batch_end"] == []
    cbs.on_train_batch_end(0, _Untouchable())  # must not look at logs
    cbs.on_test_batch_end(0, _Untouchable())


def test_user_callbacks_get_floats_builtins_get_lazy_values():
    got = {}

    class Old(Callback):  # Keras 2 alias counts as a train batch hook
        def on_batch_end(self, batch, logs=None):
            got["old"] = logs["loss"]

    class Lazy(Callback):
        _supports_lazy_logs = True

        def on_train_batch_end(self, batch, logs=None):
            got["lazy"] = logs["loss"]

    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: got.setdefault("lam", logs))
    cbs = CallbackList([Old(), Lazy(), lam], model=FakeModel())
    assert len(cbs._targets["on_train_batch_end"]) == 3
    cbs.on_train_batch_end(0, {"loss": torch.tensor(0.25)})
    assert type(got["old"]) is float and got["old"] == 0.25
    assert isinstance(got["lazy"], torch.Tensor)
    assert got["lam"] == {"loss": 0.25}


def test_callbacklist_params_model_and_defaults():
    model = FakeModel()
    hist = History()
    cbs = CallbackList([hist], add_history=True, add_progbar=True, model=model,
                       verbose=0, epochs=3, steps=5)
    assert sum(isinstance(c, History) for c in cbs.callbacks) == 1
    assert isinstance(cbs.callbacks[-1], ProgbarLogger)
    assert hist.params == {"verbose": 0, "epochs": 3, "steps": 5}
    assert hist.model is model and model.history is hist
    with pytest.raises(TypeError):
        CallbackList(["not a callback"])


def test_history_records_epochs_and_converts_tensors():
    model = FakeModel()
    cbs = CallbackList(add_history=True, model=model)
    cbs.on_train_begin()
    for epoch in range(2):
        cbs.on_epoch_end(epoch, {"loss": torch.tensor(1.0 - epoch / 2), "val_loss": 2.0})
    hist = model.history
    assert hist.epoch == [0, 1]
    assert hist.history == {"loss": [1.0, 0.5], "val_loss": [2.0, 2.0]}
    assert all(type(v) is float for v in hist.history["loss"])


def test_lambda_callback_hooks_and_bad_names():
    calls = []
    lam = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append(("end", epoch)),
                         on_train_begin=lambda logs: calls.append("begin"),
                         on_test_batch_end=lambda batch, logs: calls.append(("test", batch)))
    cbs = CallbackList([lam], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {})
    cbs.on_test_batch_end(3, {})
    assert calls == ["begin", ("end", 0), ("test", 3)]
    with pytest.raises(ValueError, match="unknown hooks"):
        LambdaCallback(on_epoch_ends=print)


# -- EarlyStopping -----------------------------------------------------------

def test_early_stopping_patience():
    _, ran, _ = fit([EarlyStopping(patience=2)], [1.0, 0.9, 0.95, 0.96, 0.97, 0.1])
    assert ran == 4
    _, ran, _ = fit([EarlyStopping(patience=0)], [1.0, 1.1, 0.5])
    assert ran == 2


def test_early_stopping_min_delta_and_max_mode():
    _, ran, _ = fit([EarlyStopping(patience=1, min_delta=0.1)], [1.0, 0.95, 0.5])
    assert ran == 2
    es = EarlyStopping(monitor="val_accuracy", patience=1)  # auto -> max
    _, ran, _ = fit([es], [0.5, 0.6, 0.55, 0.9], key="val_accuracy")
    assert ran == 3 and es.best == 0.6


def test_early_stopping_baseline():
    # Without baseline the first value is the best: stop after 2 stale epochs.
    _, ran, _ = fit([EarlyStopping(patience=2)], [1.0, 1.0, 1.0, 1.0])
    assert ran == 3
    # Not beating the baseline keeps `wait` growing from the first epoch.
    _, ran, _ = fit([EarlyStopping(patience=2, baseline=0.5)], [1.0, 1.0, 1.0, 1.0])
    assert ran == 2


def test_early_stopping_restore_best_weights(capsys):
    es = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    model, ran, _ = fit([es], [1.0, 0.5, 0.8, 0.9, 0.1])
    assert ran == 4
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 2's weights
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_start_from_epoch():
    _, ran, _ = fit([EarlyStopping(patience=0)], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert ran == 2
    _, ran, _ = fit([EarlyStopping(patience=0, start_from_epoch=2)], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert ran == 4


def test_early_stopping_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="bigger")
    with pytest.raises(ValueError, match="maximized or minimized"):
        fit([EarlyStopping(monitor="val_mystery")], [1.0], key="val_mystery")


def test_early_stopping_reads_metric_direction_from_model():
    class Metric:
        name = "mystery"
        _direction = "up"

    model = FakeModel()
    model.metrics = [Metric()]
    es = EarlyStopping(monitor="val_mystery", patience=0)
    _, ran, _ = fit([es], [1.0, 2.0, 1.5], key="val_mystery", model=model)
    assert ran == 3 and es.best == 2.0  # "max": 1.5 after 2.0 stops


# -- ModelCheckpoint -----------------------------------------------------------

def test_checkpoint_filename_pattern(tmp_path):
    path = str(tmp_path / "ckpt" / "{epoch:02d}-{val_loss:.2f}.keras")
    model, _, _ = fit([ModelCheckpoint(path)], [0.5, 0.25, 0.125])
    assert sorted(os.listdir(tmp_path / "ckpt")) == ["01-0.50.keras", "02-0.25.keras",
                                                     "03-0.12.keras"]
    assert all(kind == "model" for kind, _ in model.saved)


def test_checkpoint_save_best_only_modes(tmp_path, capsys):
    cb = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True, verbose=1)
    model, _, _ = fit([cb], [0.5, 0.7, 0.3])
    assert [name for _, name in model.saved] == ["1.keras", "3.keras"]
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 0.50000" in out
    assert "Epoch 2: val_loss did not improve from 0.50000" in out

    cb = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), monitor="val_accuracy",
                         save_best_only=True)  # auto -> max
    model, _, _ = fit([cb], [0.5, 0.4, 0.6], key="val_accuracy")
    assert [name for _, name in model.saved] == ["1.keras", "3.keras"]

    cb = ModelCheckpoint(str(tmp_path / "{epoch}.keras"), save_best_only=True, mode="min",
                         initial_value_threshold=0.4)
    model, _, _ = fit([cb], [0.5, 0.3, 0.35])
    assert [name for _, name in model.saved] == ["2.keras"]


def test_checkpoint_weights_and_suffix_checks(tmp_path):
    model, _, _ = fit([ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True)],
                      [1.0])
    assert model.saved == [("weights", "w.weights.h5")]
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        ModelCheckpoint("w.keras", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        ModelCheckpoint("model.txt")
    ModelCheckpoint("m.h5"), ModelCheckpoint("m.pt")
    ModelCheckpoint("w.pt", save_weights_only=True)
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("m.keras", save_freq="batch")
    with pytest.raises(ValueError, match="mode"):
        ModelCheckpoint("m.keras", mode="up")


def test_checkpoint_integer_save_freq(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "{epoch}-{batch}-{loss:.1f}.keras"), save_freq=2)
    model, _, _ = fit([cb], [1.0, 1.0], batches=5)
    assert [name for _, name in model.saved] == [
        "1-2-0.5.keras", "1-4-0.5.keras", "2-1-0.5.keras", "2-3-0.5.keras", "2-5-0.5.keras"]


# -- ReduceLROnPlateau / LearningRateScheduler --------------------------------

def test_reduce_lr_on_plateau_cooldown_and_min_lr(capsys):
    cb = ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.02, verbose=1)
    model, _, cbs = fit([cb], [1.0] * 9)
    # History (added after) records the lr in effect during each epoch.
    assert model.history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02])
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out


def test_reduce_lr_on_plateau_improvement_resets_wait():
    model, _, _ = fit([ReduceLROnPlateau(factor=0.5, patience=2)], [1.0, 0.9, 0.8, 0.7])
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        ReduceLROnPlateau(mode="bad")


def test_learning_rate_scheduler():
    cb = LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.5)
    model, _, _ = fit([cb], [1.0, 1.0, 1.0])
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    assert model.history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])

    model, _, _ = fit([LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))], [1.0, 1.0])
    assert model.optimizer.learning_rate == pytest.approx(0.5)

    with pytest.raises(ValueError, match="should be a float"):
        fit([LearningRateScheduler(lambda epoch, lr: "fast")], [1.0])


# -- CSVLogger / TerminateOnNaN ------------------------------------------------

def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5},
            {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": torch.tensor(0.75)}]

    def run(cb):
        cbs = CallbackList([cb], model=FakeModel())
        cbs.on_train_begin()
        for epoch, epoch_logs in enumerate(logs):
            cbs.on_epoch_end(epoch, dict(epoch_logs))
        cbs.on_train_end()

    run(CSVLogger(str(path)))
    expected = ("epoch,accuracy,loss,val_accuracy,val_loss\r\n"
                "0,0.75,0.5,0.5,0.625\r\n"
                "1,0.875,0.25,0.75,0.5\r\n")
    assert path.read_bytes().decode() == expected
    run(CSVLogger(str(path), append=True))  # no second header
    assert path.read_bytes().decode() == expected + expected.split("\r\n", 1)[1]

    cb = CSVLogger(str(path), separator=";")
    cbs = CallbackList([cb], model=FakeModel())
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_train_end()
    assert path.read_text().splitlines() == ["epoch;loss;val_loss", "0;1.0;NA"]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_terminate_on_nan(capsys, bad):
    model = FakeModel()
    cbs = CallbackList([TerminateOnNaN()], model=model)
    cbs.on_train_batch_end(0, {"loss": torch.tensor(1.0)})
    assert not model.stop_training
    cbs.on_train_batch_end(1, {"loss": torch.tensor(bad)})
    assert model.stop_training
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf"):
        CallbackList([TerminateOnNaN(raise_error=True)], model=FakeModel()).on_train_batch_end(
            0, {"loss": bad})
