"""fit / evaluate / predict on raw text: string arrays and lists of strings are batched, shuffled and split
like numeric arrays, and reach the model's TextVectorization as numpy arrays (never as tensors)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from kerastorch.trainer.data import get_data_adapter

POS = ["good great fine", "great movie good", "fine good nice", "nice great", "good good nice fine"]
NEG = ["bad awful poor", "awful movie bad", "poor bad terrible", "terrible awful", "bad bad poor terrible"]


def _data():
    texts = np.array((POS + NEG) * 4, dtype=object)
    labels = np.array(([1.0] * 5 + [0.0] * 5) * 4, dtype="float32")
    return texts, labels


def _model(keras, texts):
    keras.utils.set_random_seed(0)
    tv = keras.layers.TextVectorization(max_tokens=30)
    tv.adapt(texts)
    x = keras.Input(shape=(1,), dtype="string")
    h = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(30, 8)(tv(x)))
    model = keras.Model(x, keras.layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_adapter_slices_and_shuffles_text_without_tensors():
    texts = np.array([f"t{i}" for i in range(10)])  # a numpy str array
    y = np.arange(10, dtype="float32")
    gen = torch.Generator().manual_seed(0)
    adapter = get_data_adapter(texts, y, batch_size=4, shuffle=True, seed_generator=gen)
    batches = list(adapter.iter_epoch())
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert all(isinstance(bx, np.ndarray) and isinstance(by, torch.Tensor) for bx, by in batches)
    seen_x = np.concatenate([bx for bx, _ in batches])
    seen_y = torch.cat([by for _, by in batches])
    assert sorted(seen_x.tolist()) == sorted(texts.tolist()) and seen_x.tolist() != texts.tolist()
    assert [f"t{int(v)}" for v in seen_y] == seen_x.tolist()  # x and y shuffled together
    plain = list(get_data_adapter(["a", "b", "c"], None, batch_size=2).iter_epoch())
    assert [b[0].tolist() for b in plain] == [["a", "b"], ["c"]]


def test_adapter_keeps_numeric_arrays_as_tensors_and_checks_sizes():
    adapter = get_data_adapter(np.ones((6, 2)), np.zeros(6), batch_size=4)
    assert all(isinstance(b[0], torch.Tensor) for b in adapter.iter_epoch())
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        get_data_adapter(np.array(["a", "b", "c"], dtype=object), np.zeros(2), batch_size=2)


def test_fit_on_raw_strings_learns_and_evaluates(keras):
    texts, labels = _data()
    model = _model(keras, texts)
    history = model.fit(texts[:, None], labels, epochs=8, batch_size=8, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    assert history.history["accuracy"][-1] == 1.0 > history.history["accuracy"][0]
    loss, accuracy = model.evaluate(list(texts), labels, verbose=0)
    assert accuracy == 1.0
    predictions = model.predict(["good nice", "bad awful"], verbose=0)
    assert predictions.shape == (2, 1) and predictions[0, 0] > 0.5 > predictions[1, 0]


def test_fit_on_a_list_of_strings_with_shuffle_and_split(keras):
    texts, labels = _data()
    model = _model(keras, texts)
    history = model.fit(list(texts), labels, epochs=2, batch_size=8, shuffle=True, validation_split=0.2, verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_on_batch_methods_take_string_arrays_and_lists(keras):
    texts, labels = _data()
    model = _model(keras, texts)
    logs = model.train_on_batch(texts, labels, return_dict=True)  # a 1-D array of texts
    assert set(logs) == {"loss", "accuracy"}
    as_list = list(texts)  # a Python list of texts is one input of len(list) samples, as in fit
    loss_list = model.test_on_batch(as_list, labels, return_dict=True)["loss"]
    assert loss_list == pytest.approx(model.test_on_batch(texts, labels, return_dict=True)["loss"])
    model.train_on_batch(as_list, labels)
    assert model.predict_on_batch(as_list).shape == (len(texts), 1)
