"""keras.datasets: each loader reads a small file laid out like the one Keras caches, and returns what
real Keras 3's loader returns from the same file (its download step pointed at the file)."""
import gzip
import io
import os
import pickle
import tarfile
import urllib.error

import numpy as np
import pytest

import kerastorch as kt
from kerastorch.utils.file_utils import hash_file

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
import keras.src.datasets as keras_datasets  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty Keras home; returns its datasets folder."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()
    return folder


def _point_keras_at(monkeypatch, module, path):
    monkeypatch.setattr(getattr(keras_datasets, module), "get_file", lambda *a, **k: str(path))


def _trust(monkeypatch, module, path, attr="FILE_HASH"):
    """The test file is ours, so the hash that kerastorch verifies is the test file's."""
    monkeypatch.setattr(getattr(kt.datasets, module), attr, hash_file(str(path)))


def _assert_same(ours, theirs):
    for a, b in zip(np.asarray(ours, dtype=object).ravel(), np.asarray(theirs, dtype=object).ravel()):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            assert np.asarray(a).dtype == np.asarray(b).dtype
            np.testing.assert_array_equal(a, b)
        elif isinstance(a, (list, tuple)):
            _assert_same(list(a), list(b))
        else:
            assert a == b


def _compare(ours, theirs):
    (xa, ya), (xta, yta) = ours
    (xb, yb), (xtb, ytb) = theirs
    for a, b in ((xa, xb), (ya, yb), (xta, xtb), (yta, ytb)):
        assert type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
        if a.dtype == object:
            assert [list(s) for s in a] == [list(s) for s in b]
        else:
            np.testing.assert_array_equal(a, b)


def test_mnist(cache, monkeypatch):
    path = cache / "mnist.npz"
    np.savez(path, x_train=RNG.integers(0, 255, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6, dtype=np.uint8),
             x_test=RNG.integers(0, 255, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8))
    _trust(monkeypatch, "mnist", path)
    _point_keras_at(monkeypatch, "mnist", path)
    _compare(kt.datasets.mnist.load_data(), keras.datasets.mnist.load_data())


def _idx_gz(path, header, payload):
    with gzip.open(path, "wb") as f:
        f.write(header + payload.tobytes())


def test_fashion_mnist(cache, monkeypatch):
    folder = cache / "fashion-mnist"
    folder.mkdir()
    for split, n in (("train", 5), ("t10k", 3)):
        _idx_gz(folder / f"{split}-labels-idx1-ubyte.gz", b"\0" * 8, RNG.integers(0, 10, n, dtype=np.uint8))
        _idx_gz(folder / f"{split}-images-idx3-ubyte.gz", b"\0" * 16,
                RNG.integers(0, 255, (n, 28, 28), dtype=np.uint8))
    monkeypatch.setattr(keras_datasets.fashion_mnist, "get_file", lambda fname, **k: str(folder / fname))
    _compare(kt.datasets.fashion_mnist.load_data(), keras.datasets.fashion_mnist.load_data())


def _cifar_archive(cache, inner, members):
    """A tar.gz laid out like Keras's download, saved where get_file keeps the archive."""
    archive = cache / f"{inner}-target_archive"
    with tarfile.open(archive, "w:gz") as tar:
        for name, batch in members.items():
            blob = pickle.dumps(batch)
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return archive


def _cifar_batch(n, label_keys):
    batch = {b"data": RNG.integers(0, 255, (n, 3 * 32 * 32), dtype=np.uint8)}
    for key, classes in label_keys.items():
        batch[key.encode()] = [int(v) for v in RNG.integers(0, classes, n)]
    return batch


def test_cifar10(cache, monkeypatch):
    members = {f"data_batch_{i}": _cifar_batch(2, {"labels": 10}) for i in range(1, 6)}
    members["test_batch"] = _cifar_batch(3, {"labels": 10})
    archive = _cifar_archive(cache, "cifar-10-batches-py", members)
    _trust(monkeypatch, "cifar10", archive)
    ours = kt.datasets.cifar10.load_data()
    assert ours[0][0].shape == (10, 32, 32, 3)
    _point_keras_at(monkeypatch, "cifar10", cache / "cifar-10-batches-py-target")
    # Keras's loader fills fixed 50,000/10,000-row arrays; compare with its batch reader instead.
    theirs_x, theirs_y = keras.src.datasets.cifar.load_batch(
        str(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch"))
    np.testing.assert_array_equal(ours[1][0], theirs_x.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(ours[1][1].ravel(), theirs_y)
    assert ours[0][1].dtype == np.uint8 and ours[0][1].shape == (10, 1)


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(cache, monkeypatch, label_mode):
    keys = {"fine_labels": 100, "coarse_labels": 20}
    archive = _cifar_archive(cache, "cifar-100-python", {"train": _cifar_batch(4, keys), "test": _cifar_batch(2, keys)})
    _trust(monkeypatch, "cifar100", archive)
    ours = kt.datasets.cifar100.load_data(label_mode)
    _point_keras_at(monkeypatch, "cifar100", cache / "cifar-100-python-target")
    _compare(ours, keras.datasets.cifar100.load_data(label_mode))


def _ragged(n, vocab):
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = [int(w) for w in RNG.integers(1, vocab, RNG.integers(3, 12))]
    return seqs


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 20, "skip_top": 2, "maxlen": 9},
                                    {"start_char": None, "oov_char": None, "index_from": 0, "num_words": 15}])
def test_imdb(cache, monkeypatch, kwargs):
    path = cache / "imdb.npz"
    np.savez(path, x_train=_ragged(12, 40), y_train=RNG.integers(0, 2, 12),
             x_test=_ragged(8, 40), y_test=RNG.integers(0, 2, 8))
    _trust(monkeypatch, "imdb", path)
    _point_keras_at(monkeypatch, "imdb", path)
    _compare(kt.datasets.imdb.load_data(**kwargs), keras.datasets.imdb.load_data(**kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"num_words": 25, "maxlen": 10, "test_split": 0.3, "seed": 7}])
def test_reuters(cache, monkeypatch, kwargs):
    path = cache / "reuters.npz"
    np.savez(path, x=_ragged(20, 50), y=RNG.integers(0, 46, 20))
    _trust(monkeypatch, "reuters", path)
    _point_keras_at(monkeypatch, "reuters", path)
    _compare(kt.datasets.reuters.load_data(**kwargs), keras.datasets.reuters.load_data(**kwargs))
    assert kt.datasets.reuters.get_label_names() == keras.datasets.reuters.get_label_names()


def test_word_index(cache, monkeypatch):
    path = cache / "imdb_word_index.json"
    path.write_text('{"the": 1, "movie": 17}')
    _trust(monkeypatch, "imdb", path, attr="WORD_INDEX_HASH")
    assert kt.datasets.imdb.get_word_index() == {"the": 1, "movie": 17}


@pytest.mark.parametrize("module,kwargs", [("boston_housing", {}), ("boston_housing", {"test_split": 0.5, "seed": 3}),
                                           ("california_housing", {}), ("california_housing", {"version": "small"})])
def test_regression_sets(cache, monkeypatch, module, kwargs):
    path = cache / f"{module}.npz"
    np.savez(path, x=RNG.normal(size=(700, 4)), y=RNG.normal(size=700))
    _trust(monkeypatch, module, path)
    _point_keras_at(monkeypatch, module, path)
    _compare(getattr(kt.datasets, module).load_data(**kwargs), getattr(keras.datasets, module).load_data(**kwargs))


def test_bad_arguments_match_keras():
    with pytest.raises(ValueError, match="test_split"):
        kt.datasets.boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="label_mode"):
        kt.datasets.cifar100.load_data("medium")
    with pytest.raises(ValueError, match="version"):
        kt.datasets.california_housing.load_data(version="tiny")


def test_offline_error_names_the_file_and_place(cache, monkeypatch):
    def no_network(url, filename):
        raise urllib.error.URLError("network unreachable")
    monkeypatch.setattr("urllib.request.urlretrieve", no_network)
    with pytest.raises(OSError) as info:
        kt.datasets.mnist.load_data()
    message = str(info.value)
    assert "mnist.npz" in message and str(cache / "mnist.npz") in message and "KERAS_HOME" in message
    assert not os.listdir(cache)  # no partial file left


def test_tampered_cache_file_runs_no_code(cache, monkeypatch):
    """A pickle in an object array may only rebuild numpy arrays."""
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    path = cache / "reuters.npz"
    x = np.empty(1, dtype=object)
    x[0] = Evil()
    np.savez(path, x=x, y=np.zeros(1))
    _trust(monkeypatch, "reuters", path)
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        kt.datasets.reuters.load_data()
