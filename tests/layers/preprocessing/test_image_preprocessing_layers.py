"""Image preprocessing layers against real Keras 3.15.1 (torch backend, same process).

Deterministic layers: outputs within 1e-5. Random layers: Keras's own transformation dict is
fed to both layers' ``transform_images`` (pins the maths independently of the RNG); seeded
draws are also compared with Keras's. Plus inference identity, seeding, rough distributions,
and use inside a model (fit, predict, .keras round trip).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import kerastorch as kt


def _images(shape=(3, 9, 12, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _both(real_keras, name, kwargs):
    return getattr(real_keras.layers, name)(**kwargs), getattr(kt.layers, name)(**kwargs)


def _config(layer):
    config = dict(layer.get_config())
    config.pop("name", None)
    return config


DETERMINISTIC = [
    ("Resizing", {"height": 5, "width": 7}),
    ("Resizing", {"height": 14, "width": 20, "interpolation": "nearest"}),
    ("Resizing", {"height": 6, "width": 6, "interpolation": "bicubic"}),
    ("Resizing", {"height": 6, "width": 6, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 6, "width": 4, "pad_to_aspect_ratio": True, "fill_value": 7.0}),
    ("Resizing", {"height": 4, "width": 5, "antialias": True}),
    ("Resizing", {"height": 4, "width": 5, "data_format": "channels_first"}),
    ("CenterCrop", {"height": 5, "width": 6}),
    ("CenterCrop", {"height": 12, "width": 8}),  # larger than the input: crop to aspect + resize
    ("CenterCrop", {"height": 2, "width": 3, "data_format": "channels_first"}),
    ("AutoContrast", {}),
    ("AutoContrast", {"value_range": (0, 1)}),
]

RANDOM = [
    ("RandomFlip", {"seed": 3}),
    ("RandomFlip", {"mode": "horizontal", "seed": 3}),
    ("RandomFlip", {"mode": "vertical", "seed": 3, "data_format": "channels_first"}),
    ("RandomRotation", {"factor": 0.2, "seed": 3}),
    ("RandomRotation", {"factor": (-0.1, 0.3), "fill_mode": "constant", "fill_value": 5.0, "seed": 3}),
    ("RandomRotation", {"factor": 0.25, "fill_mode": "wrap", "interpolation": "nearest", "seed": 3}),
    ("RandomZoom", {"height_factor": 0.3, "seed": 3}),
    ("RandomZoom", {"height_factor": (-0.3, 0.2), "width_factor": (0.1, 0.4), "fill_mode": "nearest", "seed": 3}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": (-0.3, 0.1), "seed": 3}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2, "fill_mode": "constant", "seed": 3,
                           "data_format": "channels_first"}),
    ("RandomContrast", {"factor": 0.5, "seed": 3}),
    ("RandomContrast", {"factor": (0.2, 0.7), "value_range": (0, 1), "seed": 3}),
    ("RandomBrightness", {"factor": 0.3, "seed": 3}),
    ("RandomBrightness", {"factor": (-0.2, 0.5), "value_range": (0, 1), "seed": 3}),
    ("RandomCrop", {"height": 5, "width": 7, "seed": 3}),
    ("RandomCrop", {"height": 12, "width": 4, "seed": 3}),  # taller than the input: aspect box + resize
    ("RandomGrayscale", {"factor": 0.5, "seed": 3}),
    ("RandomInvert", {"factor": 0.7, "seed": 3}),
    ("RandomInvert", {"factor": (0.2, 0.9), "value_range": (0, 1), "seed": 3}),
    ("Solarization", {"addition_factor": 0.3, "threshold_factor": (0.2, 0.8), "seed": 3}),
    ("Solarization", {"threshold_factor": 0.5, "value_range": (0, 1), "seed": 3}),
    ("RandomPosterization", {"factor": (2, 6), "seed": 3}),
    ("RandomPosterization", {"factor": 4, "value_range": (0, 1), "seed": 3}),
    ("RandomColorDegeneration", {"factor": 0.6, "seed": 3}),
    ("RandomColorDegeneration", {"factor": (0.1, 0.9), "value_range": (0, 1), "seed": 3,
                                 "data_format": "channels_first"}),
    ("RandomSaturation", {"factor": 0.5, "seed": 3}),
    ("RandomSaturation", {"factor": (0.3, 0.8), "value_range": (0, 1), "seed": 3}),
    ("RandomHue", {"factor": 0.4, "seed": 3}),
    ("RandomHue", {"factor": (0.1, 0.9), "value_range": (0, 1), "seed": 3, "data_format": "channels_first"}),
    ("RandomSharpness", {"factor": 0.5, "seed": 3}),
    ("RandomSharpness", {"factor": (0.1, 0.9), "value_range": (0, 1), "seed": 3, "data_format": "channels_first"}),
    ("MixUp", {"alpha": 0.4, "seed": 3}),
    ("CutMix", {"factor": 0.8, "seed": 3}),
    ("CutMix", {"factor": (0.2, 1.0), "seed": 3, "data_format": "channels_first"}),
    ("RandomShear", {"x_factor": 0.3, "seed": 3}),
    ("RandomShear", {"x_factor": (0.1, 0.2), "y_factor": 0.3, "fill_mode": "constant", "seed": 3}),
    ("RandomShear", {"y_factor": 0.4, "fill_mode": "wrap", "interpolation": "nearest", "seed": 3}),
    ("RandomErasing", {"seed": 3}),
    ("RandomErasing", {"factor": 0.6, "scale": (0.1, 0.5), "fill_value": 9.0, "seed": 3}),
    ("RandomErasing", {"fill_value": (1.0, 2.0, 3.0), "seed": 3}),
    ("RandomGaussianBlur", {"seed": 3}),
    ("RandomGaussianBlur", {"factor": 0.5, "kernel_size": 5, "sigma": (0.2, 0.9), "seed": 3,
                            "data_format": "channels_first"}),
    ("RandomColorJitter", {"brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": 0.5,
                           "hue_factor": 0.2, "seed": 3}),
    ("RandomColorJitter", {"value_range": (0, 1), "contrast_factor": (0.1, 0.5), "hue_factor": 0.3, "seed": 3}),
    ("Equalization", {}),
    ("Equalization", {"value_range": (0, 1), "bins": 64, "data_format": "channels_first"}),
    ("RandomPerspective", {"seed": 3}),
    ("RandomPerspective", {"factor": 0.5, "scale": 0.4, "fill_value": 2.0, "interpolation": "nearest", "seed": 3}),
    # Its displacement noise comes from torch's global RNG in Keras too: the tests seed it per side.
    ("RandomElasticTransform", {"seed": 3}),
    ("RandomElasticTransform", {"factor": 0.6, "scale": (0.2, 0.7), "fill_mode": "constant", "fill_value": 3.0,
                                "seed": 3}),
]


ATOL = 4e-6  # times the value range


def _span(kwargs):
    return 1.0 if kwargs.get("value_range") == (0, 1) else 255.0


def _ids(cases):
    return [f"{name}-{i}" for i, (name, _) in enumerate(cases)]


def _input_for(kwargs, shape=(3, 9, 12, 3)):
    x = _images(shape)
    if kwargs.get("value_range") == (0, 1):
        x = x / 255.0
    if kwargs.get("data_format") == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x


@pytest.mark.parametrize("name,kwargs", DETERMINISTIC + RANDOM, ids=_ids(DETERMINISTIC + RANDOM))
def test_config_matches_keras(real_keras, name, kwargs):
    theirs, ours = _both(real_keras, name, kwargs)
    assert _config(ours) == _config(theirs)
    rebuilt = type(ours).from_config(ours.get_config())
    assert _config(rebuilt) == _config(ours)


@pytest.mark.parametrize("name,kwargs", DETERMINISTIC, ids=_ids(DETERMINISTIC))
@pytest.mark.parametrize("batched", [True, False])
def test_deterministic_outputs_match_keras(real_keras, name, kwargs, batched):
    theirs, ours = _both(real_keras, name, kwargs)
    x = _input_for(kwargs)
    if not batched:
        x = x[0]
    for training in (True, False):
        expected = _np(theirs(x, training=training))
        got = _np(ours(x, training=training))
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5 * 255, rtol=1e-5)


def test_resizing_integer_images_keep_dtype(real_keras):
    x = _images((2, 9, 12, 3)).astype("uint8")
    theirs, ours = _both(real_keras, "Resizing", {"height": 5, "width": 7})
    expected, got = _np(theirs(x)), _np(ours(x))
    assert got.dtype == expected.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name,kwargs", RANDOM, ids=_ids(RANDOM))
@pytest.mark.parametrize("batched", [True, False])
def test_same_transformation_same_images(real_keras, name, kwargs, batched):
    """Keras's transformation fed to both layers: the image maths must agree."""
    theirs, ours = _both(real_keras, name, kwargs)
    x = _input_for(kwargs)
    if not batched:
        x = x[0]
    transformation = theirs.get_random_transformation(torch.as_tensor(x), training=True)
    # Keras on torch edits some arguments in place (affine_transform's matrix, RandomBrightness's
    # images): give each side its own copies.
    copy = kt.tree.map_structure(lambda v: v.clone() if isinstance(v, torch.Tensor) else v, transformation)
    if batched:
        torch.manual_seed(0)
        expected = theirs.transform_images(torch.tensor(x), transformation, training=True)
        torch.manual_seed(0)
        got = ours.transform_images(torch.tensor(x), copy, training=True)
    else:
        torch.manual_seed(0)
        expected = theirs.transform_single_image(torch.tensor(x), transformation, training=True)
        torch.manual_seed(0)
        got = ours._single(ours.transform_images, torch.tensor(x), copy, True)
    # Affine resampling runs on torch's grid_sample: equal up to the float32 rounding of its
    # normalized grid, about 1e-6 of the value range on these 9x12 images.
    np.testing.assert_allclose(_np(got), _np(expected), atol=ATOL * _span(kwargs), rtol=1e-5)


@pytest.mark.parametrize("name,kwargs", RANDOM, ids=_ids(RANDOM))
def test_seeded_draws_equal_keras(real_keras, name, kwargs):
    """Same seed, same SeedGenerator arithmetic, same torch sampler: the same augmented batch."""
    theirs, ours = _both(real_keras, name, kwargs)
    x = _input_for(kwargs)
    for _ in range(2):  # the generator advances identically between calls
        torch.manual_seed(1)
        expected = _np(theirs(x.copy(), training=True))
        torch.manual_seed(1)
        np.testing.assert_allclose(_np(ours(x.copy(), training=True)), expected, atol=ATOL * _span(kwargs), rtol=1e-5)


@pytest.mark.parametrize("name,kwargs", [c for c in RANDOM if c[0] != "RandomCrop"],
                         ids=_ids([c for c in RANDOM if c[0] != "RandomCrop"]))
def test_inference_is_identity(name, kwargs):
    layer = getattr(kt.layers, name)(**kwargs)
    x = _input_for(kwargs)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    model = kt.Sequential([kt.Input(x.shape[1:]), getattr(kt.layers, name)(**kwargs)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)


def test_random_crop_inference_returns_input_unchanged(real_keras):
    # Keras 3.15's RandomCrop skips the crop when not training (output keeps the input's size).
    x = _images()
    theirs, ours = _both(real_keras, "RandomCrop", {"height": 4, "width": 4, "seed": 1})
    assert _np(ours(x, training=False)).shape == _np(theirs(x, training=False)).shape == x.shape


def test_unseeded_layers_follow_set_random_seed():
    x = _images()
    outputs = []
    for _ in range(2):
        kt.utils.set_random_seed(123)
        layer = kt.layers.RandomRotation(0.3)
        outputs.append(_np(layer(x, training=True)))
    np.testing.assert_array_equal(outputs[0], outputs[1])
    kt.utils.set_random_seed(124)
    assert not np.allclose(_np(kt.layers.RandomRotation(0.3)(x, training=True)), outputs[0])


def test_seeded_layer_changes_between_calls_and_replays():
    x = _images()
    a, b = kt.layers.RandomZoom(0.4, seed=5), kt.layers.RandomZoom(0.4, seed=5)
    first, second = _np(a(x)), _np(a(x))
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(_np(b(x)), first)


def test_flip_and_rotation_distributions():
    x = np.broadcast_to(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), (2000, 4, 4, 1)).copy()
    flipped = _np(kt.layers.RandomFlip("horizontal", seed=0)(x))
    share = (flipped[:, 0, 0, 0] == 3).mean()
    assert 0.45 < share < 0.55
    layer = kt.layers.RandomRotation((-0.1, 0.3), seed=0)
    angles = _np(layer.get_random_transformation(x)["angle"])
    assert angles.min() >= -36 and angles.max() < 108
    assert abs(angles.mean() - 36) < 3  # uniform on [-36, 108)
    delta = _np(kt.layers.RandomBrightness(0.2, seed=0).get_random_transformation(x)["rgb_delta"])
    assert delta.min() >= -0.2 * 255 and delta.max() <= 0.2 * 255 and abs(delta.mean()) < 3


def test_dict_inputs_transform_images_and_masks_together():
    x = _images((2, 8, 8, 3))
    masks = np.broadcast_to(np.arange(64, dtype="float32").reshape(1, 8, 8, 1), (2, 8, 8, 1)).copy()
    labels = np.eye(2, dtype="float32")
    out = kt.layers.RandomFlip(seed=2)({"images": x, "labels": labels, "segmentation_masks": masks})
    np.testing.assert_array_equal(_np(out["labels"]), labels)
    for i in range(2):
        flipped = not np.array_equal(_np(out["images"][i]), x[i])
        assert flipped == (not np.array_equal(_np(out["segmentation_masks"][i]), masks[i]))
    out = kt.layers.CenterCrop(4, 4)({"images": x[0], "segmentation_masks": masks[0]})
    assert tuple(out["images"].shape) == (4, 4, 3) and tuple(out["segmentation_masks"].shape) == (4, 4, 1)
    with pytest.raises(ValueError, match="bounding box format"):
        kt.layers.RandomFlip()({"images": x, "bounding_boxes": {"boxes": np.zeros((2, 1, 4))}})


def test_factor_validation_errors():
    with pytest.raises(ValueError, match="factor"):
        kt.layers.RandomRotation(2.0)
    with pytest.raises(ValueError, match="factor"):
        kt.layers.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="value_range"):
        kt.layers.RandomBrightness(0.1, value_range=3)
    with pytest.raises(ValueError, match="rank 3"):
        kt.layers.RandomFlip()(np.zeros((2, 3), "float32"))


def test_pipeline_config_and_training_flag(real_keras):
    specs = [("RandomFlip", {"seed": 1}), ("RandomRotation", {"factor": 0.1, "seed": 2})]
    ours = kt.layers.Pipeline([getattr(kt.layers, n)(**k) for n, k in specs])
    theirs = real_keras.layers.Pipeline([getattr(real_keras.layers, n)(**k) for n, k in specs])
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    for config in (ours_config, theirs_config):
        config.pop("name")
        for layer in config["layers"]:
            layer["config"].pop("name")
    # As written to a .keras file (Keras keeps tuples in memory, JSON makes them lists).
    assert json.loads(json.dumps(ours_config)) == json.loads(json.dumps(theirs_config))
    x = _images()
    np.testing.assert_allclose(_np(ours(x.copy())), _np(theirs(x.copy())), atol=ATOL * 255)
    np.testing.assert_array_equal(_np(ours(x, training=False)), x)
    rebuilt = kt.layers.Pipeline.from_config(ours.get_config())
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["RandomFlip", "RandomRotation"]


def test_augmentation_in_model_fit_predict_and_save(tmp_path):
    kt.utils.set_random_seed(0)
    x = _images((16, 12, 12, 3)) / 255.0
    y = np.arange(16) % 2
    model = kt.Sequential([
        kt.Input((12, 12, 3)),
        kt.layers.RandomFlip("horizontal"),
        kt.layers.RandomRotation(0.1),
        kt.layers.RandomZoom(0.1),
        kt.layers.RandomContrast(0.2, value_range=(0, 1)),
        kt.layers.Resizing(8, 8),
        kt.layers.Conv2D(4, 3, activation="relu"),
        kt.layers.GlobalAveragePooling2D(),
        kt.layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, second)  # inference: no augmentation
    path = tmp_path / "augmented.keras"
    model.save(path)
    loaded = kt.saving.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    assert loaded.layers[1].get_config() == model.layers[1].get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), first, atol=1e-6)


RAND_AUGMENT = [{"seed": 3}, {"num_ops": 3, "factor": 0.3, "seed": 5}, {"num_ops": 4, "factor": (0.1, 0.6), "seed": 11}]


@pytest.mark.parametrize("kwargs", RAND_AUGMENT)
def test_rand_augment_picks_and_applies_like_keras(real_keras, kwargs):
    """Same picks from the same seed; the picked Keras sub-layers, applied in order, give our output.

    (A whole Keras call is not the reference: on torch it runs all eleven operations on every
    step and some edit their arguments in place, which leaks into the selected result.)
    """
    theirs, ours = _both(real_keras, "RandAugment", kwargs)
    assert _config(ours) == _config(theirs)
    x = _images()

    def copy(tree):
        return kt.tree.map_structure(lambda v: v.clone() if isinstance(v, torch.Tensor) else v, tree)

    for _ in range(2):
        theirs_t = theirs.get_random_transformation(torch.tensor(x))
        ours_t = ours.get_random_transformation(torch.tensor(x))
        assert _np(ours_t["layer_idxes"]).tolist() == _np(theirs_t["layer_idxes"]).tolist()
        expected = torch.tensor(x)
        names = list(theirs_t["transforms"])
        for index in _np(theirs_t["layer_idxes"]).tolist():
            name = names[index]
            expected = getattr(theirs, name).transform_images(expected.clone(), copy(theirs_t["transforms"][name]))
        got = ours.transform_images(torch.tensor(x), copy(theirs_t))
        np.testing.assert_allclose(_np(got), _np(expected), atol=ATOL * 255, rtol=1e-5)
    np.testing.assert_array_equal(_np(ours(x, training=False)), x)
