"""Image helpers and image_dataset_from_directory against real Keras's own functions on the same files."""
import io
import os

import numpy as np
import pytest
import torch

import kerastorch as kt

PIL = pytest.importorskip("PIL.Image")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
from keras.src.utils import image_dataset_utils as keras_image_dataset_utils  # noqa: E402

RNG = np.random.default_rng(0)


def _write(path, shape, mode="RGB"):
    array = RNG.integers(0, 255, shape, dtype=np.uint8)
    PIL.fromarray(array, mode).save(path)
    return array


@pytest.mark.parametrize("kwargs", [{}, dict(color_mode="grayscale"), dict(color_mode="rgba"),
                                    dict(target_size=(9, 7)), dict(target_size=(9, 7), interpolation="bicubic"),
                                    dict(target_size=(8, 8), keep_aspect_ratio=True, interpolation="bilinear")])
def test_load_img_and_img_to_array(tmp_path, kwargs):
    path = tmp_path / "a.png"
    _write(path, (13, 21, 3))
    ours, theirs = kt.utils.load_img(str(path), **kwargs), keras.utils.load_img(str(path), **kwargs)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    for data_format in ("channels_last", "channels_first"):
        a = kt.utils.img_to_array(ours, data_format=data_format)
        b = keras.utils.img_to_array(theirs, data_format=data_format)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_load_img_from_bytes_and_errors(tmp_path):
    path = tmp_path / "a.png"
    _write(path, (5, 6, 3))
    buffer = io.BytesIO(path.read_bytes())
    assert kt.utils.load_img(buffer).size == (6, 5)
    with pytest.raises(ValueError, match="color_mode"):
        kt.utils.load_img(str(path), color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        kt.utils.load_img(str(path), target_size=(2, 2), interpolation="cubic")
    with pytest.raises(TypeError, match="path-like"):
        kt.utils.load_img(3)


@pytest.mark.parametrize("shape", [(6, 5, 3), (6, 5, 4), (6, 5, 1)])
@pytest.mark.parametrize("scale", [True, False])
def test_array_to_img_and_save_img(tmp_path, shape, scale):
    x = RNG.uniform(0, 200, shape).astype("float32")
    ours, theirs = kt.utils.array_to_img(x, scale=scale), keras.utils.array_to_img(x, scale=scale)
    assert ours.mode == theirs.mode
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    kt.utils.save_img(str(tmp_path / "ours.png"), x, scale=scale)
    keras.utils.save_img(str(tmp_path / "theirs.png"), x, scale=scale)
    np.testing.assert_array_equal(np.asarray(PIL.open(tmp_path / "ours.png")),
                                  np.asarray(PIL.open(tmp_path / "theirs.png")))


def test_array_to_img_errors():
    with pytest.raises(ValueError, match="rank 3"):
        kt.utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="channel number"):
        kt.utils.array_to_img(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("shape,size", [((20, 30, 3), (10, 10)), ((2, 17, 9, 1), (8, 12)), ((30, 20, 3), (16, 8))])
def test_smart_resize(shape, size):
    x = RNG.uniform(0, 255, shape).astype("float32")
    ours = kt.preprocessing.image.smart_resize(x, size)
    theirs = keras.preprocessing.image.smart_resize(x, size)
    assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-3)


def _image_tree(root, shapes_by_class):
    for label, shapes in shapes_by_class.items():
        (root / label).mkdir(parents=True)
        for i, shape in enumerate(shapes):
            _write(root / label / f"{i}.png", shape)
    return root


@pytest.mark.parametrize("kwargs", [dict(), dict(interpolation="nearest", color_mode="grayscale"),
                                    dict(crop_to_aspect_ratio=True), dict(pad_to_aspect_ratio=True),
                                    dict(data_format="channels_first", interpolation="bicubic")])
def test_image_dataset_pixels_match_keras_loader(tmp_path, kwargs):
    root = _image_tree(tmp_path / "imgs", {"cat": [(20, 30, 3), (25, 25, 3)], "dog": [(16, 40, 3)]})
    loader = kt.utils.image_dataset_from_directory(str(root), image_size=(12, 14), batch_size=None, shuffle=False,
                                                   verbose=False, **kwargs)
    channels = 1 if kwargs.get("color_mode") == "grayscale" else 3
    for (image, label), path in zip(loader, loader.file_paths):
        expected = keras_image_dataset_utils._load_image_grain(
            path, (12, 14), channels, kwargs.get("interpolation", "bilinear"),
            kwargs.get("data_format", "channels_last"), kwargs.get("crop_to_aspect_ratio", False),
            kwargs.get("pad_to_aspect_ratio", False))
        assert image.dtype == torch.float32 and tuple(image.shape) == tuple(expected.shape)
        np.testing.assert_allclose(image.numpy(), np.asarray(expected.cpu()), rtol=1e-5, atol=1e-3)
        assert loader.class_names[int(label)] == os.path.basename(os.path.dirname(path))


def test_image_dataset_batches_split_and_fit(tmp_path):
    root = _image_tree(tmp_path / "imgs", {"a": [(10, 10, 3)] * 6, "b": [(12, 8, 3)] * 6})
    train, val = kt.utils.image_dataset_from_directory(str(root), image_size=(8, 8), batch_size=4, seed=1,
                                                       validation_split=0.25, subset="both",
                                                       label_mode="categorical", verbose=False)
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    images, labels = next(iter(train))
    assert tuple(images.shape) == (4, 8, 8, 3) and tuple(labels.shape) == (4, 2)
    model = kt.Sequential([kt.Input((8, 8, 3)), kt.layers.Rescaling(1 / 255), kt.layers.Conv2D(4, 3),
                           kt.layers.GlobalAveragePooling2D(), kt.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_image_dataset_errors(tmp_path):
    root = _image_tree(tmp_path / "imgs", {"a": [(4, 4, 3)], "b": [(4, 4, 3)], "c": [(4, 4, 3)]})
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        kt.utils.image_dataset_from_directory(str(root), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="image_size"):
        kt.utils.image_dataset_from_directory(str(root), image_size=(4, 4, 3), verbose=False)
    with pytest.raises(ValueError, match="interpolation"):
        kt.utils.image_dataset_from_directory(str(root), interpolation="cubic", verbose=False)
    with pytest.raises(ValueError, match="seed"):
        kt.utils.image_dataset_from_directory(str(root), validation_split=0.5, subset="training", verbose=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No images found"):
        kt.utils.image_dataset_from_directory(str(tmp_path / "empty"), verbose=False)
