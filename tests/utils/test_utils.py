"""keras.utils: to_categorical, normalize, pad_sequences, seeding, PyDataset and get_file."""
import os
import random
import tarfile

import numpy as np
import pytest
import torch

from kerastorch import utils


def test_to_categorical():
    out = utils.to_categorical([0, 2, 1])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)  # (N, 1) squeezed
    assert utils.to_categorical(np.array([[1, 2], [0, 1]])).shape == (2, 2, 3)
    t = utils.to_categorical(torch.tensor([1, 0]), 3)
    assert isinstance(t, torch.Tensor) and t.tolist() == [[0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError):
        utils.to_categorical([0, 3], num_classes=3)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])  # zero row left alone
    np.testing.assert_allclose(utils.normalize(x, axis=0, order=1), [[1.0, 1.0], [0.0, 0.0]])
    t = utils.normalize(torch.tensor([[3.0, 4.0]]))
    assert torch.allclose(t, torch.tensor([[0.6, 0.8]]))


def test_pad_sequences_pre_and_post():
    seqs = [[1, 2, 3, 4], [5], [6, 7]]
    out = utils.pad_sequences(seqs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [[1, 2, 3, 4], [0, 0, 0, 5], [0, 0, 6, 7]])
    np.testing.assert_array_equal(utils.pad_sequences(seqs, maxlen=3),  # truncates at the front
                                  [[2, 3, 4], [0, 0, 5], [0, 6, 7]])
    np.testing.assert_array_equal(utils.pad_sequences(seqs, maxlen=3, padding="post", truncating="post"),
                                  [[1, 2, 3], [5, 0, 0], [6, 7, 0]])
    np.testing.assert_array_equal(utils.pad_sequences([[1], []], maxlen=2, value=-1), [[-1, 1], [-1, -1]])
    floats = utils.pad_sequences([[0.5, 1.5]], maxlen=3, dtype="float32", padding="post")
    np.testing.assert_array_equal(floats, [[0.5, 1.5, 0.0]])
    vectors = utils.pad_sequences([np.ones((2, 3)), np.ones((1, 3))], maxlen=2)
    assert vectors.shape == (2, 2, 3) and vectors[1, 0].sum() == 0
    with pytest.raises(ValueError):
        utils.pad_sequences(seqs, padding="middle")


def test_set_random_seed_reproduces_all_rngs():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    utils.set_random_seed(123)
    first = draw()
    utils.set_random_seed(123)
    assert draw() == first
    with pytest.raises(ValueError):
        utils.set_random_seed(1.5)


def test_py_dataset_and_sequence():
    class Batches(utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.epochs = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            return np.full((2,), index), np.zeros(2)

        def on_epoch_end(self):
            self.epochs += 1

    ds = Batches(workers=4, use_multiprocessing=True, max_queue_size=5)
    assert (ds.workers, ds.use_multiprocessing, ds.max_queue_size) == (4, True, 5)
    assert len(ds) == 3 and ds.num_batches == 3 and ds[2][0].tolist() == [2, 2]
    assert [x[0] for x, _ in ds] == [0, 1, 2]
    ds.on_epoch_end()
    assert ds.epochs == 1

    class OldStyle(utils.Sequence):  # Keras 2 subclass that never calls super().__init__()
        def __len__(self):
            return 1

        def __getitem__(self, index):
            return index

    assert OldStyle().workers == 1 and list(OldStyle()) == [0]
    assert utils.Sequence is utils.PyDataset


def test_get_file_downloads_caches_and_extracts(tmp_path):
    source = tmp_path / "src" / "data.txt"
    source.parent.mkdir()
    source.write_text("hello")
    url = source.as_uri()
    cache = tmp_path / "cache"
    path = utils.get_file("data.txt", url, cache_dir=str(cache))
    assert path == os.path.join(str(cache), "datasets", "data.txt")
    assert open(path).read() == "hello"
    source.unlink()  # a cached file is returned without fetching again
    assert utils.get_file("data.txt", url, cache_dir=str(cache)) == path
    sha = utils.hash_file(path)
    assert utils.validate_file(path, sha)

    archive = tmp_path / "src" / "pack.tar.gz"
    inner = tmp_path / "src" / "pack"
    inner.mkdir()
    (inner / "a.txt").write_text("A")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(inner, arcname="pack")
    out = utils.get_file("pack.tar.gz", archive.as_uri(), extract=True, cache_dir=str(cache))
    assert out.endswith("pack_extracted")
    assert open(os.path.join(out, "pack", "a.txt")).read() == "A"


def test_get_file_offline_error_names_url(tmp_path):
    url = (tmp_path / "missing.bin").as_uri()
    with pytest.raises(OSError, match="missing.bin"):
        utils.get_file("missing.bin", url, cache_dir=str(tmp_path / "cache"))
    assert not os.path.exists(tmp_path / "cache" / "datasets" / "missing.bin")  # no partial file
    with pytest.raises(ValueError):
        utils.get_file("x.bin", origin=None)


def test_get_file_uses_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    target = tmp_path / "home" / "datasets" / "cached.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"x")
    # pre-populated cache: no network access is attempted for this unreachable URL
    assert utils.get_file("cached.npz", "https://invalid.invalid/cached.npz") == str(target)
