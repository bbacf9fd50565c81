"""AugMix and MaxNumBoundingBoxes against real Keras 3.15.1 (torch backend, same process).

AugMix: a seeded call (Python's ``random`` seeded the same before each) equals Keras's; Keras's
own transformation fed to both gives the same images; config and inference identity.
MaxNumBoundingBoxes: truncation and padding equal Keras's; images pass through."""
from __future__ import annotations

import copy
import random

import numpy as np
import pytest
import torch

import kerastorch as kt


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _config(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return config


AUGMIX = [
    {"seed": 3},
    {"seed": 5, "all_ops": False, "num_chains": 2, "chain_depth": 4, "factor": (0.1, 0.6), "alpha": 0.5},
    {"seed": 7, "value_range": (0, 1), "factor": 0.5},
]


@pytest.mark.parametrize("kwargs", AUGMIX, ids=["default", "seven-ops", "unit-range"])
def test_aug_mix_seeded_call_equals_keras(real_keras, kwargs):
    scale = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    x = np.random.default_rng(0).uniform(0, scale, (2, 16, 20, 3)).astype("float32")
    k, t = real_keras.layers.AugMix(**kwargs), kt.layers.AugMix(**kwargs)
    assert _config(k) == _config(t)
    for round_ in range(2):
        random.seed(round_)
        expected = _np(k(x, training=True))
        random.seed(round_)
        out = _np(t(x, training=True))
        np.testing.assert_allclose(out, expected, atol=1e-5 * scale * 10)
    np.testing.assert_array_equal(_np(t(x, training=False)), x)


def test_aug_mix_keras_transformation_fed_to_both(real_keras):
    x = torch.tensor(np.random.default_rng(1).uniform(0, 255, (2, 12, 12, 3)).astype("float32"))
    k, t = real_keras.layers.AugMix(seed=11), kt.layers.AugMix(seed=11)
    random.seed(4)
    transformation = k.get_random_transformation(x, training=True)
    assert sum(len(chain) for chain in transformation["chain_transforms"]) > 0
    # Keras edits some sub-transformations in place when it applies them: each side gets a copy.
    out = _np(t.transform_images(x, copy.deepcopy(transformation)))
    expected = _np(k.transform_images(x, copy.deepcopy(transformation)))
    np.testing.assert_allclose(out, expected, atol=2e-3)
    masks = torch.zeros((2, 12, 12, 1))
    assert tuple(t.transform_segmentation_masks(masks, copy.deepcopy(transformation)).shape) == (2, 12, 12, 1)


def test_aug_mix_validates_factor():
    with pytest.raises(ValueError, match="factor"):
        kt.layers.AugMix(factor=1.5)


@pytest.mark.parametrize("max_number", [2, 5])
def test_max_num_bounding_boxes_equals_keras(real_keras, max_number):
    data = {"images": np.zeros((2, 8, 8, 3), "float32"),
            "bounding_boxes": {"boxes": np.arange(24, dtype="float32").reshape(2, 3, 4),
                               "labels": np.array([[1, 2, 3], [4, 5, 6]])}}
    k = real_keras.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")
    t = kt.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")
    ko, to = k(copy.deepcopy(data)), t(copy.deepcopy(data))
    np.testing.assert_array_equal(_np(to["bounding_boxes"]["boxes"]), _np(ko["bounding_boxes"]["boxes"]))
    np.testing.assert_array_equal(_np(to["bounding_boxes"]["labels"]), _np(ko["bounding_boxes"]["labels"]))
    np.testing.assert_array_equal(_np(to["images"]), data["images"])
    assert _config(k) == _config(t)
    shape = {"images": (2, 8, 8, 3), "bounding_boxes": {"boxes": (2, 3, 4), "labels": (2, 3)}}
    assert t.compute_output_shape(shape)["bounding_boxes"] == {"boxes": [2, max_number, 4], "labels": [2, max_number]}
    with pytest.raises(KeyError, match="unsupported keys"):
        t.compute_output_shape({"bounding_boxes": {"boxes": (2, 3, 4), "labels": (2, 3), "scores": (2, 3)}})
