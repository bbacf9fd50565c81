"""Bounding boxes against real Keras 3.15.1 (torch backend, same process): keras.utils.bounding_boxes
(every format pair, clipping, affine hulls, crop/pad, box deltas) and the geometric augmentation
layers' box rules. For the layers, Keras's own transformation is fed to both (kerastorch through
its full call path, dict input, batched and single image) and, with a seed, the whole call is
compared (same draws)."""
from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
import torch

import kerastorch as kt
from kerastorch.utils import bounding_boxes as tb


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _boxes(seed=0, shape=(2, 4)):
    b = np.random.default_rng(seed).uniform(0, 35, shape + (4,)).astype("float32")
    b[..., 2:] = b[..., :2] + b[..., 2:] * 0.5 + 3  # x2 > x1, y2 > y1
    return b


def test_utils_signatures_equal_keras(real_keras):
    for name in tb.__all__:
        k = inspect.signature(getattr(real_keras.utils.bounding_boxes, name)).parameters
        t = inspect.signature(getattr(kt.utils.bounding_boxes, name)).parameters
        assert [(p.name, p.default) for p in k.values()] == [(p.name, p.default) for p in t.values()], name


def test_convert_format_every_pair_equals_keras(real_keras):
    kb, b = real_keras.utils.bounding_boxes, _boxes()
    for source in tb.SUPPORTED_FORMATS:
        src = _np(kb.convert_format(b, "xyxy", source, height=60, width=80))
        for target in tb.SUPPORTED_FORMATS:
            expected = _np(kb.convert_format(src, source, target, height=60, width=80))
            np.testing.assert_allclose(_np(tb.convert_format(src, source, target, height=60, width=80)), expected,
                                       atol=1e-6, err_msg=f"{source}->{target}")
    converted = tb.convert_format({"boxes": b, "labels": np.ones((2, 4))}, "xyxy", "rel_xyxy", height=60, width=80)
    assert set(converted) == {"boxes", "labels"} and converted["boxes"].dtype == torch.float32
    with pytest.raises(ValueError, match="height"):
        tb.convert_format(b, "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="Supported formats"):
        tb.convert_format(b, "xyxy", "xxyy")
    with pytest.raises(ValueError, match="last dimension of 4"):
        tb.convert_format(b[..., :3], "xyxy", "yxyx")


def test_geometry_helpers_equal_keras(real_keras):
    kb, b = real_keras.utils.bounding_boxes, _boxes()
    labels = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    k = kb.clip_to_image_size({"boxes": b, "labels": labels}, height=20, width=25)
    t = tb.clip_to_image_size({"boxes": b, "labels": labels}, height=20, width=25)
    np.testing.assert_array_equal(_np(t["boxes"]), _np(k["boxes"]))
    assert _np(t["labels"]).tolist() == _np(k["labels"]).tolist()
    angle = np.array([10.0, -30.0], "float32")
    zero, one = np.zeros(2, "float32"), np.ones(2, "float32")
    args = (angle, zero + 0.1, zero - 0.05, one * 1.2, zero + 5, zero - 3, 60, 80)
    np.testing.assert_allclose(_np(tb.affine_transform(b, *args)), _np(kb.affine_transform(b, *args)), atol=1e-5)
    np.testing.assert_array_equal(_np(tb.crop(b, 5, 7, 30, 40)), _np(kb.crop(b, 5, 7, 30, 40)))
    np.testing.assert_array_equal(_np(tb.pad(b, 5, 7)), _np(kb.pad(b, 5, 7)))
    anchors = _boxes(1, (4,))
    variance = [0.1, 0.1, 0.2, 0.2]
    k = kb.encode_box_to_deltas(anchors, b[0], "xyxy", "xyxy", variance=variance)
    t = tb.encode_box_to_deltas(anchors, b[0], "xyxy", "xyxy", variance=variance)
    np.testing.assert_allclose(_np(t), _np(k), atol=1e-6)
    np.testing.assert_allclose(_np(tb.decode_deltas_to_boxes(anchors, t, "xyxy", "xyxy", variance=variance)),
                               _np(kb.decode_deltas_to_boxes(anchors, k, "xyxy", "xyxy", variance=variance)),
                               atol=1e-5)
    np.testing.assert_allclose(_np(tb.decode_deltas_to_boxes(anchors, t, "xyxy", "xyxy", variance=variance)), b[0],
                               atol=1e-4)


CASES = [
    ("RandomFlip", {"seed": 1}), ("RandomFlip", {"mode": "horizontal", "seed": 2}),
    ("RandomFlip", {"mode": "vertical", "seed": 2}),
    ("RandomRotation", {"factor": 0.2, "seed": 3}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.3, "seed": 4}),
    ("RandomZoom", {"height_factor": 0.3, "width_factor": (-0.2, 0.4), "seed": 5}),
    ("RandomZoom", {"height_factor": -0.3, "seed": 5}),
    ("RandomCrop", {"height": 30, "width": 40, "seed": 6}),
    ("Resizing", {"height": 20, "width": 50}),
    ("Resizing", {"height": 20, "width": 20, "crop_to_aspect_ratio": True}),
    ("Resizing", {"height": 30, "width": 20, "pad_to_aspect_ratio": True}),
    ("CenterCrop", {"height": 30, "width": 30}), ("CenterCrop", {"height": 50, "width": 30}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("fmt", ["xyxy", "center_xywh", "rel_yxyx"])
def test_layer_boxes_equal_keras_for_keras_transformation(real_keras, name, kwargs, fmt):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 40, 60, 3)).astype("float32")
    boxes = _np(real_keras.utils.bounding_boxes.convert_format(_boxes(), "xyxy", fmt, height=40, width=60))
    labels = np.array([[1, 2, 3, 0], [4, 5, 6, 7]])
    k = getattr(real_keras.layers, name)(bounding_box_format=fmt, **kwargs)
    t = getattr(kt.layers, name)(bounding_box_format=fmt, **kwargs)
    for batched in (True, False):
        sl = slice(None) if batched else 0
        data = {"images": images[sl], "bounding_boxes": {"boxes": boxes[sl], "labels": labels[sl]}}
        transformation = k.get_random_transformation(data, training=True)
        keras_boxes = {"boxes": torch.tensor(boxes[sl]), "labels": torch.tensor(labels[sl])}
        if batched:
            expected = k.transform_bounding_boxes(keras_boxes, transformation, training=True)
        else:
            expected = k.transform_single_bounding_box(keras_boxes, transformation, training=True)
        t.get_random_transformation = lambda data, training=True, seed=None, tr=transformation: tr
        out = t(copy.deepcopy(data), training=True)["bounding_boxes"]
        np.testing.assert_allclose(_np(out["boxes"]), _np(expected["boxes"]), atol=1e-4)
        assert _np(out["labels"]).tolist() == _np(expected["labels"]).tolist()


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if "seed" in c[1]][::2])
def test_seeded_call_with_boxes_equals_keras(real_keras, name, kwargs):
    rng = np.random.default_rng(1)
    data = {"images": rng.uniform(0, 255, (2, 40, 60, 3)).astype("float32"),
            "bounding_boxes": {"boxes": _boxes(2), "labels": np.array([[1, 2, 3, 0], [4, 5, 6, 7]])}}
    k = getattr(real_keras.layers, name)(bounding_box_format="xyxy", **kwargs)
    t = getattr(kt.layers, name)(bounding_box_format="xyxy", **kwargs)
    ko, to = k(copy.deepcopy(data), training=True), t(copy.deepcopy(data), training=True)
    np.testing.assert_allclose(_np(to["bounding_boxes"]["boxes"]), _np(ko["bounding_boxes"]["boxes"]), atol=1e-4)
    np.testing.assert_allclose(_np(to["images"]), _np(ko["images"]), atol=2e-2)  # 0..255 images


def test_ragged_box_lists_are_densified_and_inference_leaves_boxes():
    layer = kt.layers.RandomFlip(bounding_box_format="xyxy", seed=0)
    data = {"images": np.zeros((2, 8, 8, 3), "float32"),
            "bounding_boxes": {"boxes": [[[0, 0, 2, 2]], [[1, 1, 3, 3], [2, 2, 4, 4]]], "labels": [[1], [2, 3]]}}
    out = layer(data, training=False)["bounding_boxes"]
    assert tuple(out["boxes"].shape) == (2, 2, 4) and out["labels"].tolist() == [[1, -1], [2, 3]]
    np.testing.assert_array_equal(out["boxes"][0, 1].numpy(), [0, 0, 0, 0])
    with pytest.raises(ValueError, match="bounding box format"):
        kt.layers.RandomFlip()({"images": data["images"], "bounding_boxes": data["bounding_boxes"]})
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        kt.layers.RandomFlip(bounding_box_format="xyxy")({"images": data["images"],
                                                          "bounding_boxes": {"boxes": np.zeros((2, 1, 4))}})
    with pytest.raises(NotImplementedError, match="bounding boxes"):
        kt.layers.RandomContrast(0.2, bounding_box_format="xyxy")(
            {"images": data["images"], "bounding_boxes": {"boxes": np.zeros((2, 1, 4)), "labels": np.zeros((2, 1))}})


def test_iou_and_ciou_equal_keras(real_keras):
    kb = real_keras.utils.bounding_boxes
    unbatched1, unbatched2, batched1, batched2 = _boxes(3, (5,)), _boxes(4, (3,)), _boxes(5, (2, 5)), _boxes(6, (2, 3))
    for x, y in [(unbatched1, unbatched2), (batched1, batched2), (batched1, unbatched2), (unbatched1, batched2)]:
        expected = _np(kb.compute_iou(x, y, "xyxy"))
        out = _np(tb.compute_iou(x, y, "xyxy"))
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, atol=1e-6)
    padded = batched1.copy()
    padded[0, 1] = -1
    np.testing.assert_allclose(_np(tb.compute_iou(padded, batched2, "xyxy", use_masking=True)),
                               _np(kb.compute_iou(padded, batched2, "xyxy", use_masking=True)), atol=1e-6)
    rel1, rel2 = unbatched1 / 40, unbatched2 / 40
    np.testing.assert_allclose(_np(tb.compute_iou(rel1, rel2, "rel_xyxy", image_shape=(40, 40, 3))),
                               _np(kb.compute_iou(rel1, rel2, "rel_xyxy", image_shape=(40, 40, 3))), atol=1e-6)
    other = unbatched1[::-1].copy()
    np.testing.assert_allclose(_np(tb.compute_ciou(unbatched1, other, "center_xywh")),
                               _np(kb.compute_ciou(unbatched1, other, "center_xywh")), atol=1e-6)
    with pytest.raises(ValueError, match="image_shape"):
        tb.compute_iou(rel1, rel2, "rel_xyxy")
