"""keras.utils dataset helpers: listing and splits against real Keras's own functions on the same folders,
timeseries windows against the Keras documentation's examples, and each loader trained on by ``fit``."""
import os

import numpy as np
import pytest
import torch

import kerastorch as kt
from kerastorch.utils import dataset_utils

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from keras.src.utils import dataset_utils as keras_dataset_utils  # noqa: E402


def _text_tree(root, counts):
    for label, n in counts.items():
        (root / label).mkdir(parents=True)
        for i in range(n):
            (root / label / f"{label}_{i:02d}.txt").write_text(f"{label} text number {i} " * (i + 1))
    (root / next(iter(counts)) / "notes.md").write_text("not indexed")
    (root / ".hidden").mkdir()
    return root


@pytest.mark.parametrize("kwargs", [dict(labels="inferred", shuffle=True, seed=3),
                                    dict(labels="inferred", shuffle=False),
                                    dict(labels="inferred", class_names=["pos", "neg"], shuffle=True, seed=1),
                                    dict(labels=None, shuffle=True, seed=5)])
def test_index_directory_matches_keras(tmp_path, kwargs):
    root = _text_tree(tmp_path / "data", {"neg": 4, "pos": 5})
    ours = dataset_utils.index_directory(str(root), formats=(".txt",), verbose=False, **kwargs)
    theirs = keras_dataset_utils.index_directory(str(root), formats=(".txt",), verbose=False, **kwargs)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    if ours[1] is None:
        assert theirs[1] is None
    else:
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[1].dtype == theirs[1].dtype


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_split_matches_keras(subset):
    samples, labels = [f"f{i}" for i in range(11)], np.arange(11)
    ours = dataset_utils.get_training_or_validation_split(samples, labels, 0.3, subset)
    theirs = keras_dataset_utils.get_training_or_validation_split(samples, labels, 0.3, subset)
    assert ours[0] == theirs[0]
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("args", [(1.5, "training", True, 1), (0.2, None, True, 1), (None, "training", True, 1),
                                  (0.2, "test", True, 1), (0.2, "training", True, None)])
def test_split_arguments_refused_like_keras(args):
    with pytest.raises(ValueError) as theirs:
        keras_dataset_utils.check_validation_split_arg(*args)
    with pytest.raises(ValueError) as ours:
        dataset_utils.check_validation_split_arg(*args)
    assert str(ours.value) == str(theirs.value)


def test_text_dataset_from_directory(tmp_path):
    root = _text_tree(tmp_path / "data", {"neg": 4, "pos": 6})
    train, val = kt.utils.text_dataset_from_directory(str(root), batch_size=3, validation_split=0.2,
                                                      subset="both", seed=7, max_length=12, verbose=False)
    paths, labels, names = keras_dataset_utils.index_directory(str(root), "inferred", (".txt",), seed=7,
                                                               verbose=False)
    assert train.class_names == names == ["neg", "pos"]
    assert train.file_paths == paths[:8] and val.file_paths == paths[8:]
    texts, ids = next(iter(val))
    assert texts.dtype == object and ids.dtype == torch.int32
    for text, label, path in zip(texts, ids, paths[8:]):
        assert text == open(path).read()[:12] and names[int(label)] in os.path.basename(path)
    assert sum(len(t) for t, _ in train) == 8
    one_hot = kt.utils.text_dataset_from_directory(str(root), label_mode="categorical", batch_size=None,
                                                   shuffle=False, verbose=False)
    sample_text, sample_label = next(iter(one_hot))
    assert isinstance(sample_text, str) and sample_label.tolist() == [1.0, 0.0]


def test_text_dataset_errors(tmp_path):
    root = _text_tree(tmp_path / "data", {"a": 2, "b": 2, "c": 2})
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        kt.utils.text_dataset_from_directory(str(root), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="label_mode"):
        kt.utils.text_dataset_from_directory(str(root), label_mode="sparse", verbose=False)
    with pytest.raises(ValueError, match="does not exist"):
        kt.utils.text_dataset_from_directory(str(root / "missing"), verbose=False)


def _windows(loader):
    xs, ys = [], []
    for batch in loader:
        x, y = batch if isinstance(batch, (list, tuple)) else (batch, None)
        xs.append(np.asarray(x))
        ys.append(None if y is None else np.asarray(y))
    return np.concatenate(xs), (None if ys[0] is None else np.concatenate(ys))


def test_timeseries_documented_examples():
    # keras.io, example 1: consecutive windows of 10 steps, the target is the step after each window
    data = np.arange(100)
    x, y = _windows(kt.utils.timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10))
    np.testing.assert_array_equal(x[0], data[:10])
    assert y[0] == data[10] and len(x) == 81
    # example 2: every 6th step over 5 days (sampling_rate=6, sequence_length=120 with steps of 10 minutes)
    x, _ = _windows(kt.utils.timeseries_dataset_from_array(np.arange(1000), None, sequence_length=10,
                                                           sampling_rate=6, batch_size=32))
    np.testing.assert_array_equal(x[0], np.arange(0, 60, 6))
    assert len(x) == 1000 - 9 * 6


@pytest.mark.parametrize("kwargs", [dict(sequence_stride=3), dict(sampling_rate=2, start_index=5, end_index=40),
                                    dict(sequence_stride=2, sampling_rate=3, batch_size=4)])
def test_timeseries_windows(kwargs):
    data = np.random.default_rng(0).normal(size=(50, 2))
    targets = np.arange(50)
    x, y = _windows(kt.utils.timeseries_dataset_from_array(data, targets, sequence_length=4, **kwargs))
    start, end = kwargs.get("start_index", 0), kwargs.get("end_index", 50)
    rate, stride = kwargs.get("sampling_rate", 1), kwargs.get("sequence_stride", 1)
    starts = list(range(start, end - 3 * rate, stride))
    np.testing.assert_allclose(x, np.stack([data[s:s + 4 * rate:rate] for s in starts]))
    np.testing.assert_array_equal(y, targets[starts])


def test_timeseries_shuffle_is_seeded_and_complete():
    data = np.arange(40)
    a, _ = _windows(kt.utils.timeseries_dataset_from_array(data, None, 5, shuffle=True, seed=2, batch_size=8))
    b, _ = _windows(kt.utils.timeseries_dataset_from_array(data, None, 5, shuffle=True, seed=2, batch_size=8))
    np.testing.assert_array_equal(a, b)
    assert sorted(a[:, 0].tolist()) == list(range(36)) and a[:, 0].tolist() != list(range(36))


@pytest.mark.parametrize("kwargs,match", [(dict(sampling_rate=0), "sampling_rate"),
                                          (dict(sequence_stride=100), "sequence_stride"),
                                          (dict(start_index=-1), "start_index"),
                                          (dict(start_index=10, end_index=5), "end_index"),
                                          (dict(batch_size=0), "batch_size")])
def test_timeseries_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kt.utils.timeseries_dataset_from_array(np.arange(50), None, 5, **kwargs)


def test_fit_on_a_timeseries_loader():
    kt.utils.set_random_seed(0)
    series = np.sin(np.arange(300) / 10).astype("float32")[:, None]
    train = kt.utils.timeseries_dataset_from_array(series[:-8], series[8:, 0], sequence_length=8, batch_size=32,
                                                       shuffle=True, seed=0)
    model = kt.Sequential([kt.Input((8, 1)), kt.layers.LSTM(8), kt.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(train, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
