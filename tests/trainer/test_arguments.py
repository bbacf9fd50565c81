"""Issue 19.3: the numeric arguments of fit / evaluate / predict are checked with Keras-style messages.

Where real Keras 3 raises, the exception type is the same (checked against it); where Keras
trains silently or fails by accident (``validation_freq=0``: ZeroDivisionError), kerastorch
raises a ValueError that names the argument, the value received and what is expected.
"""
from __future__ import annotations

import numpy as np
import pytest

X = np.random.default_rng(0).random((32, 4)).astype("float32")
Y = np.random.default_rng(1).random((32, 1)).astype("float32")


def _model(k):
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _raises(k, method, kwargs):
    model = _model(k)
    kwargs = {"verbose": 0, **kwargs}
    args = (X,) if method == "predict" else (X, Y)
    try:
        getattr(model, method)(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the test records what each framework raises
        return e
    return None


# (method, kwargs, expected type, text in the message); Keras raises the same type for these.
KERAS_RAISES = [
    ("fit", {"batch_size": -1}, ValueError, "Received: batch_size=-1"),
    ("fit", {"batch_size": 2.5}, ValueError, "Received: batch_size=2.5"),
    ("fit", {"batch_size": "8"}, TypeError, "of type str"),
    ("fit", {"epochs": 1.5}, TypeError, "Received: epochs=1.5"),
    ("fit", {"steps_per_epoch": -1}, ValueError, "Received: steps_per_epoch=-1"),
    ("fit", {"validation_data": (X, Y), "validation_freq": "2"}, ValueError, "validation_freq='2'"),
    ("evaluate", {"steps": -1}, ValueError, "Received: steps=-1"),
    ("predict", {"steps": -1}, ValueError, "Received: steps=-1"),
]

# Keras trains / evaluates silently (or fails with ZeroDivisionError); kerastorch raises ValueError.
KERAS_SILENT = [
    ("fit", {"batch_size": 0}, "`batch_size` must be a positive integer or None. Received: batch_size=0"),
    ("fit", {"epochs": -1}, "`epochs` must be an integer >= 0. Received: epochs=-1"),
    ("fit", {"initial_epoch": -1}, "`initial_epoch` must be an integer >= 0. Received: initial_epoch=-1"),
    ("fit", {"steps_per_epoch": 0}, "`steps_per_epoch` must be a positive integer or None (the number of "
                                    "batches; None uses all the data). Received: steps_per_epoch=0"),
    ("fit", {"validation_data": (X, Y), "validation_steps": 0}, "Received: validation_steps=0"),
    ("fit", {"validation_data": (X, Y), "validation_batch_size": 0}, "Received: validation_batch_size=0"),
    ("fit", {"validation_data": (X, Y), "validation_freq": 0}, "Received: validation_freq=0"),
    ("fit", {"validation_freq": [0, 2]}, "1-based epoch numbers"),
    ("fit", {"verbose": 3}, '`verbose` must be "auto", 0 (silent), 1 (progress bar) or 2'),
    ("evaluate", {"batch_size": 0}, "Received: batch_size=0"),
    ("evaluate", {"steps": 0}, "Received: steps=0"),
    ("evaluate", {"verbose": "loud"}, "Received: verbose='loud'"),
    ("predict", {"batch_size": 0}, "Received: batch_size=0"),
    ("predict", {"steps": 0}, "Received: steps=0"),
    ("predict", {"verbose": -1}, "Received: verbose=-1"),
]


@pytest.mark.parametrize("method,kwargs,error,text", KERAS_RAISES,
                         ids=[f"{m}-{'-'.join(f'{k}={v!r}' for k, v in kw.items() if k != 'validation_data')}"
                              for m, kw, _, _ in KERAS_RAISES])
def test_same_exception_type_as_keras(keras, real_keras, method, kwargs, error, text):
    ours = _raises(keras, method, kwargs)
    theirs = _raises(real_keras, method, kwargs)
    assert isinstance(theirs, error), theirs
    assert isinstance(ours, error), ours
    assert text in str(ours)


@pytest.mark.parametrize("method,kwargs,text", KERAS_SILENT,
                         ids=[f"{m}-{'-'.join(f'{k}={v!r}' for k, v in kw.items() if k != 'validation_data')}"
                              for m, kw, _ in KERAS_SILENT])
def test_values_keras_accepts_silently_raise_value_error(keras, method, kwargs, text):
    err = _raises(keras, method, kwargs)
    assert isinstance(err, ValueError), err
    assert text in str(err)


@pytest.mark.parametrize("kwargs", [
    {"batch_size": np.int64(8)}, {"epochs": 0}, {"epochs": 3, "initial_epoch": 3}, {"verbose": True},
    {"verbose": 2}, {"validation_data": (X, Y), "validation_freq": [1, 2], "epochs": 2},
    {"steps_per_epoch": 1}, {"validation_data": (X, Y), "validation_batch_size": 5, "validation_steps": 2},
])
def test_valid_values_are_accepted(keras, kwargs):
    assert _raises(keras, "fit", kwargs) is None
