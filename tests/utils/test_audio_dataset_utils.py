"""keras.utils.audio_dataset_from_directory: Keras's listing/labels/split (read from real Keras's own
dataset_utils), TensorFlow decode_wav's scaling, output_sequence_length and padded batches."""
from __future__ import annotations

import os
import wave

import numpy as np
import pytest
import torch

os.environ["KERAS_BACKEND"] = "torch"

import kerastorch  # noqa: E402


def _write_wav(path, samples: np.ndarray, rate: int = 8000) -> None:
    samples = np.asarray(samples, dtype="<i2")
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(samples.tobytes())


@pytest.fixture()
def folder(tmp_path):
    rng = np.random.default_rng(0)
    waves = {}
    for label in ("dog", "cat"):
        (tmp_path / label).mkdir()
        for i in range(3):
            data = rng.integers(-32768, 32767, size=(5 + 3 * i + (label == "dog"), 2))
            path = tmp_path / label / f"{i}.wav"
            _write_wav(path, data)
            waves[str(path)] = data.astype("float32") / 32768.0
    (tmp_path / "cat" / "notes.txt").write_text("not audio")
    return tmp_path, waves


def test_decoding_padding_and_labels(folder):
    root, waves = folder
    ds = kerastorch.utils.audio_dataset_from_directory(str(root), batch_size=4, shuffle=False, verbose=False)
    assert ds.class_names == ["cat", "dog"]
    batches = list(ds)
    assert [tuple(x.shape) for x, _ in batches] == [(4, 11, 2), (2, 12, 2)]  # padded to each batch's longest
    seen = 0
    for x, y in batches:
        assert x.dtype == torch.float32 and y.dtype == torch.int32
        for audio, label in zip(x, y):
            path = ds.file_paths[seen]
            expected = waves[path]
            np.testing.assert_array_equal(audio[: len(expected)].numpy(), expected)
            assert not audio[len(expected):].any()
            assert ds.class_names[int(label)] == os.path.basename(os.path.dirname(path))
            seen += 1
    assert seen == 6


def test_output_sequence_length_cuts_and_pads(folder):
    root, waves = folder
    ds = kerastorch.utils.audio_dataset_from_directory(str(root), batch_size=None, output_sequence_length=8,
                                                       label_mode="categorical", shuffle=False, verbose=False)
    for (audio, label), path in zip(ds, ds.file_paths):
        expected = np.zeros((8, 2), "float32")
        n = min(8, len(waves[path]))
        expected[:n] = waves[path][:n]
        np.testing.assert_array_equal(audio.numpy(), expected)
        assert label.shape == (2,) and label.dtype == torch.float32


def test_listing_and_split_equal_keras(folder):
    keras_dataset_utils = pytest.importorskip("keras.src.utils.dataset_utils")
    root, _ = folder
    train, val = kerastorch.utils.audio_dataset_from_directory(
        str(root), batch_size=2, validation_split=0.5, subset="both", seed=7, verbose=False)
    paths, labels, names = keras_dataset_utils.index_directory(str(root), "inferred", formats=(".wav",), shuffle=True,
                                                               seed=7, verbose=False)
    k_train, _ = keras_dataset_utils.get_training_or_validation_split(paths, labels, 0.5, "training")
    k_val, _ = keras_dataset_utils.get_training_or_validation_split(paths, labels, 0.5, "validation")
    assert train.file_paths == list(k_train) and val.file_paths == list(k_val) and train.class_names == names
    assert sum(len(x) for x, _ in val) == 3


def test_keras_errors(folder):
    root, _ = folder
    make = kerastorch.utils.audio_dataset_from_directory
    with pytest.raises(ValueError, match="Cannot set both"):
        make(str(root), ragged=True, output_sequence_length=4)
    with pytest.raises(ValueError, match="ragged tensors"):
        make(str(root), ragged=True)
    with pytest.raises(ValueError, match="integer value"):
        make(str(root), sampling_rate=8000.0)
    with pytest.raises(ImportError, match="tensorflow-io"):
        make(str(root), sampling_rate=16000)
    with pytest.raises(ValueError, match="label_mode"):
        make(str(root), label_mode="sparse")
    with pytest.raises(ValueError, match="No audio files"):
        make(str(root / "cat"), verbose=False)  # files but no class folders
