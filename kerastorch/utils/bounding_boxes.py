"""``keras.utils.bounding_boxes``: Keras 3's bounding-box format converters and box geometry on torch.

Boxes are a ``(..., 4)`` float tensor, or a dict ``{"boxes": ..., "labels": ...}`` (Keras's
bounding-box dict, as image augmentation layers take it under ``data["bounding_boxes"]``).
Formats are Keras's names: ``xyxy``, ``yxyx``, ``xywh``, ``center_xywh``, ``center_yxhw`` and
the relative ``rel_*`` forms (fractions of the image's width/height). Every conversion goes
through ``xyxy``, in float32 by default, with Keras's order of operations so the numbers are
Keras's. ``height``/``width`` may be Python numbers or tensors that broadcast against the
``(..., 1)`` coordinate columns (per-image sizes, as RandomZoom passes them).

``densify_bounding_boxes`` turns the dict's boxes/labels (lists, nested lists with a different
number of boxes per image, numpy arrays or tensors) into dense tensors, padding with boxes of
zeros and label ``-1`` as Keras does.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.ops.core import convert_to_tensor

Tensor = torch.Tensor

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh",
                     "rel_center_xywh")


def _tensor(value: Any, dtype: torch.dtype | None = None) -> Tensor:
    if isinstance(value, torch.Tensor):
        return value if dtype is None else value.to(dtype)
    if dtype is None:
        return convert_to_tensor(value)
    return torch.as_tensor(np.asarray(value), dtype=dtype)


def _split(boxes: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    return boxes[..., 0:1], boxes[..., 1:2], boxes[..., 2:3], boxes[..., 3:4]


def _cat(*parts: Tensor) -> Tensor:
    return torch.cat(torch.broadcast_tensors(*parts), dim=-1)


# ------------------------------------------------------------------ to xyxy

def _to_xyxy(source: str, boxes: Tensor, height: Any, width: Any) -> Tensor:
    a, b, c, d = _split(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _cat(b, a, d, c)
    if source == "xywh":
        return _cat(a, b, a + c, b + d)
    if source == "center_xywh":
        half_w, half_h = c / 2.0, d / 2.0
        return _cat(a - half_w, b - half_h, a + half_w, b + half_h)
    if source == "center_yxhw":
        half_w, half_h = d / 2.0, c / 2.0
        return _cat(b - half_w, a - half_h, b + half_w, a + half_h)
    if source == "rel_xyxy":
        return _cat(a * width, b * height, c * width, d * height)
    if source == "rel_yxyx":
        return _cat(b * width, a * height, d * width, c * height)
    if source == "rel_xywh":
        return _cat(a * width, b * height, (a + c) * width, (b + d) * height)
    # rel_center_xywh
    half_w, half_h = c / 2.0, d / 2.0
    return _cat((a - half_w) * width, (b - half_h) * height, (a + half_w) * width, (b + half_h) * height)


def _from_xyxy(target: str, boxes: Tensor, height: Any, width: Any) -> Tensor:
    x1, y1, x2, y2 = _split(boxes)
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _cat(y1, x1, y2, x2)
    if target == "xywh":
        return _cat(x1, y1, x2 - x1, y2 - y1)
    if target in ("center_xywh", "center_yxhw"):
        cx, cy = x1 + ((x2 - x1) / 2.0), y1 + ((y2 - y1) / 2.0)
        w, h = x2 - x1, y2 - y1
        return _cat(cx, cy, w, h) if target == "center_xywh" else _cat(cy, cx, h, w)
    if target == "rel_xyxy":
        return _cat(x1 / width, y1 / height, x2 / width, y2 / height)
    if target == "rel_yxyx":
        return _cat(y1 / height, x1 / width, y2 / height, x2 / width)
    if target == "rel_xywh":
        return _cat(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
    # rel_center_xywh
    return _cat((x1 + ((x2 - x1) / 2.0)) / width, (y1 + ((y2 - y1) / 2.0)) / height, (x2 - x1) / width,
                (y2 - y1) / height)


def convert_format(boxes: Any, source: str, target: str, height: Any = None, width: Any = None,
                   dtype: Any = "float32") -> Any:
    """Boxes (a tensor, or a bounding-box dict whose ``"boxes"`` are converted) from ``source`` to ``target``."""
    if isinstance(boxes, dict):
        out = dict(boxes)
        out["boxes"] = convert_format(boxes["boxes"], source=source, target=target, height=height, width=width,
                                      dtype=dtype)
        return out
    torch_dtype = config.to_torch_dtype(dtype)
    boxes = _tensor(boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"`boxes` must be a tensor with the last dimension of 4. Received: "
                         f"boxes.shape={tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: {SUPPORTED_FORMATS}. Received: "
                         f"source={source!r}, target={target!r}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError("convert_format() must receive `height` and `width` transforming between relative and "
                         f"absolute formats. Received source={source!r}, target={target!r}, height={height}, "
                         f"width={width}.")
    boxes = boxes.to(torch_dtype)
    if source == target:
        return boxes
    if width is not None:
        width = _tensor(width, torch_dtype).to(boxes.device)
    if height is not None:
        height = _tensor(height, torch_dtype).to(boxes.device)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(target, _to_xyxy(source, boxes, height, width), height, width)


def _area(boxes: Tensor) -> Tensor:
    x1, y1, x2, y2 = _split(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes: dict, height: Any = None, width: Any = None,
                       bounding_box_format: str = "xyxy") -> dict:
    """Clip ``xyxy`` (to ``[0, width] x [0, height]``) or ``rel_xyxy`` (to ``[0, 1]``) boxes; labels of boxes
    left with no area become -1."""
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size supports the 'xyxy' and 'rel_xyxy' formats (as Keras). "
                                  f"Received: bounding_box_format={bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = _tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    x1, y1, x2, y2 = _split(boxes)
    if bounding_box_format == "xyxy":
        width = _tensor(width, boxes.dtype).to(boxes.device)
        height = _tensor(height, boxes.dtype).to(boxes.device)
        zero = torch.zeros((), dtype=boxes.dtype, device=boxes.device)
        x1, x2 = torch.clamp(x1, zero, width), torch.clamp(x2, zero, width)
        y1, y2 = torch.clamp(y1, zero, height), torch.clamp(y2, zero, height)
    else:
        x1, y1, x2, y2 = (torch.clamp(v, 0.0, 1.0) for v in (x1, y1, x2, y2))
    boxes = _cat(x1, y1, x2, y2)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        labels = _tensor(labels).to(boxes.device)
        areas = _area(boxes).squeeze(-1)
        result["labels"] = torch.where(areas > 0, labels, torch.full_like(labels, -1))
    return result


def _inverse_affine_matrix(center_x: float, center_y: float, angle: Tensor, translate_x: Tensor,
                           translate_y: Tensor, scale: Tensor, shear_x: Tensor, shear_y: Tensor, height: Any,
                           width: Any) -> Tensor:
    """``(batch, 3, 3)``: the map from input to output pixel coordinates of Keras's affine augmentations."""
    batch = angle.shape[0]
    dtype = angle.dtype
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx = center_x * (width - 1)
    cy = center_y * (height - 1)
    rot = angle * (1.0 / 180.0 * math.pi)
    tx = -translate_x * (width - 1)
    ty = -translate_y * (height - 1)
    sx = shear_x * (1.0 / 180.0 * math.pi)
    sy = shear_y * (1.0 / 180.0 * math.pi)
    cos_sy, tan_sx = torch.cos(sy), torch.tan(sx)
    rot_minus_sy = rot - sy
    cx_plus_tx, cy_plus_ty = cx + tx, cy + ty
    a = torch.cos(rot_minus_sy) / cos_sy
    b = a * tan_sx + torch.sin(rot)
    c = -torch.sin(rot_minus_sy) / cos_sy
    d = torch.cos(rot) - c * tan_sx
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * cx_plus_tx - a1 * cy_plus_ty
    b2 = cy - b0 * cx_plus_tx - b1 * cy_plus_ty
    zeros = torch.zeros(batch, dtype=dtype, device=angle.device)
    ones = torch.ones(batch, dtype=dtype, device=angle.device)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], dim=-1).reshape(batch, 3, 3)


def affine_transform(boxes: Any, angle: Any, translate_x: Any, translate_y: Any, scale: Any, shear_x: Any,
                     shear_y: Any, height: Any, width: Any, center_x: float | None = None,
                     center_y: float | None = None, bounding_box_format: str = "xyxy") -> Tensor:
    """``(batch, boxes, 4)`` xyxy boxes through a per-image affine map (angles and shears in degrees,
    translations as fractions of the image): each box becomes the axis-aligned hull of its moved corners."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"affine_transform supports the 'xyxy' format only (as Keras). Received: "
                                  f"bounding_box_format={bounding_box_format!r}")
    angle = _tensor(angle)
    if not angle.is_floating_point():
        angle = angle.to(torch.float32)

    def same(v: Any) -> Tensor:
        return _tensor(v).to(dtype=angle.dtype, device=angle.device)

    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y,
                                    angle, same(translate_x), same(translate_y), same(scale), same(shear_x),
                                    same(shear_y), height, width)
    boxes = _tensor(boxes).to(dtype=matrix.dtype, device=matrix.device)
    batch, n_boxes = boxes.shape[0], boxes.shape[1]
    corners = torch.stack([boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 1], boxes[..., 2],
                           boxes[..., 3], boxes[..., 0], boxes[..., 3]], dim=-1).reshape(batch, n_boxes, 4, 2)
    corners = torch.cat([corners, torch.ones((batch, n_boxes, 4, 1), dtype=corners.dtype,
                                             device=corners.device)], dim=-1)
    moved = torch.einsum("bnxy,byz->bnxz", corners, matrix[:, :2, :].transpose(1, 2))
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)


def crop(boxes: Any, top: Any, left: Any, height: Any, width: Any, bounding_box_format: str = "xyxy") -> Tensor:
    """xyxy boxes in the frame of a ``(top, left, height, width)`` crop, clipped to it."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"crop supports the 'xyxy' format only (as Keras). Received: "
                                  f"bounding_box_format={bounding_box_format!r}")
    x1, y1, x2, y2 = _split(_tensor(boxes))
    x1, y1, x2, y2 = x1 - left, y1 - top, x2 - left, y2 - top
    return _cat(torch.clamp(x1, 0, width), torch.clamp(y1, 0, height), torch.clamp(x2, 0, width),
                torch.clamp(y2, 0, height))


def pad(boxes: Any, top: Any, left: Any, height: Any = None, width: Any = None,
        bounding_box_format: str = "xyxy") -> Tensor:
    """xyxy boxes shifted by a ``(top, left)`` padding."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"pad supports the 'xyxy' format only (as Keras). Received: "
                                  f"bounding_box_format={bounding_box_format!r}")
    x1, y1, x2, y2 = _split(_tensor(boxes))
    return _cat(x1 + left, y1 + top, x2 + left, y2 + top)


def _check_variance(variance: Any) -> Tensor | None:
    if variance is None:
        return None
    variance = _tensor(variance, torch.float32)
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def encode_box_to_deltas(anchors: Any, boxes: Any, anchor_format: str, box_format: str,
                         encoding_format: str = "center_yxhw", variance: Any = None, image_shape: Any = None) -> Tensor:
    """Regression targets of ``boxes`` against ``anchors``: centre offsets over anchor size, log size ratios."""
    variance = _check_variance(variance)
    if encoding_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoding_format` should be one of 'center_xywh' or 'center_yxhw', got {encoding_format}")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    encoded_anchors = convert_format(anchors, source=anchor_format, target=encoding_format, height=height,
                                     width=width)
    boxes = convert_format(boxes, source=box_format, target=encoding_format, height=height, width=width)
    epsilon = config.epsilon()
    anchor_dimensions = torch.clamp(encoded_anchors[..., 2:], min=epsilon)
    box_dimensions = torch.clamp(boxes[..., 2:], min=epsilon)
    deltas = torch.cat([(boxes[..., :2] - encoded_anchors[..., :2]) / anchor_dimensions,
                        torch.log(box_dimensions / anchor_dimensions)], dim=-1)
    if variance is not None:
        deltas = deltas / variance.to(deltas.device)
    return deltas


def decode_deltas_to_boxes(anchors: Any, boxes_delta: Any, anchor_format: str, box_format: str,
                           encoded_format: str = "center_yxhw", variance: Any = None, image_shape: Any = None) -> Any:
    """The inverse of ``encode_box_to_deltas`` (per level when ``anchors``/``boxes_delta`` are dicts)."""
    variance = _check_variance(variance)
    if encoded_format not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`encoded_format` should be 'center_xywh' or 'center_yxhw', but got '{encoded_format}'.")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]

    def decode(anchor: Any, delta: Any) -> Tensor:
        encoded_anchor = convert_format(anchor, source=anchor_format, target=encoded_format, height=height,
                                        width=width)
        delta = _tensor(delta)
        if variance is not None:
            delta = delta * variance.to(delta.device)
        box = torch.cat([delta[..., :2] * encoded_anchor[..., 2:] + encoded_anchor[..., :2],
                         torch.exp(delta[..., 2:]) * encoded_anchor[..., 2:]], dim=-1)
        return convert_format(box, source=encoded_format, target=box_format, height=height, width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


# ------------------------------------------------------------------ overlaps

def _yxyx_area(boxes: Tensor) -> Tensor:
    y1, x1, y2, x2 = _split(boxes)
    return ((y2 - y1) * (x2 - x1)).squeeze(-1)


def _yxyx_intersection(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    y_min1, x_min1, y_max1, x_max1 = _split(boxes1)
    y_min2, x_min2, y_max2, x_max2 = (v.transpose(-1, -2) for v in _split(boxes2))
    height = torch.clamp(torch.minimum(y_max1, y_max2) - torch.maximum(y_min1, y_min2), min=0)
    width = torch.clamp(torch.minimum(x_max1, x_max2) - torch.maximum(x_min1, x_min2), min=0)
    return height * width


def compute_iou(boxes1: Any, boxes2: Any, bounding_box_format: str, use_masking: bool = False, mask_val: int = -1,
                image_shape: Any = None) -> Tensor:
    """Pairwise IoU: ``(N, M)``, or ``(batch, N, M)`` when either side is batched ``(batch, n, 4)``.

    With ``use_masking``, pairs where either box has all coordinates negative (padding) get ``mask_val``.
    """
    boxes1, boxes2 = _tensor(boxes1), _tensor(boxes2)
    for label, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if boxes.ndim not in (2, 3):
            raise ValueError(f"compute_iou() expects {label} to be batched, or to be unbatched. Received "
                             f"len(boxes1.shape)={boxes1.ndim}, len(boxes2.shape)={boxes2.ndim}. Expected either "
                             f"len({label}.shape)=2 AND or len({label}.shape)=3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="yxyx", height=height, width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="yxyx", height=height, width=width)
    intersection = _yxyx_intersection(boxes1, boxes2)
    area1 = _yxyx_area(boxes1).unsqueeze(-1)
    area2 = _yxyx_area(boxes2)
    area2 = area2.unsqueeze(1) if area2.ndim == 2 else area2.unsqueeze(0)
    result = intersection / (area1 + area2 - intersection + config.epsilon())
    if not use_masking:
        return result
    mask1 = boxes1.amax(dim=-1, keepdim=True) < 0.0
    mask2 = (boxes2.amax(dim=-1, keepdim=True) < 0.0).transpose(-1, -2)
    return torch.where(mask1 | mask2, torch.full_like(result, float(mask_val)), result)


def compute_ciou(boxes1: Any, boxes2: Any, bounding_box_format: str, image_shape: Any = None) -> Tensor:
    """Complete IoU of matching boxes (``(..., 4)`` each): IoU minus the centre-distance and aspect terms."""
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument "
                         f"must be provided. Received `image_shape`: {image_shape}")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, source=bounding_box_format, target="xyxy", height=height, width=width)
    boxes2 = convert_format(boxes2, source=bounding_box_format, target="xyxy", height=height, width=width)
    epsilon = config.epsilon()
    x_min1, y_min1, x_max1, y_max1 = _split(boxes1)
    x_min2, y_min2, x_max2, y_max2 = _split(boxes2)
    width_1, height_1 = x_max1 - x_min1, y_max1 - y_min1 + epsilon
    width_2, height_2 = x_max2 - x_min2, y_max2 - y_min2 + epsilon
    intersection = (torch.clamp(torch.minimum(x_max1, x_max2) - torch.maximum(x_min1, x_min2), min=0)
                    * torch.clamp(torch.minimum(y_max1, y_max2) - torch.maximum(y_min1, y_min2), min=0))
    union = width_1 * height_1 + width_2 * height_2 - intersection + epsilon
    iou = (intersection / (union + epsilon)).squeeze(-1)
    convex_width = torch.maximum(x_max1, x_max2) - torch.minimum(x_min1, x_min2)
    convex_height = torch.maximum(y_max1, y_max2) - torch.minimum(y_min1, y_min2)
    diagonal_squared = (convex_width ** 2 + convex_height ** 2 + epsilon).squeeze(-1)
    centers_squared = (((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2
                       + ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2).squeeze(-1)
    v = (4 / math.pi ** 2 * torch.pow(torch.atan(width_2 / height_2) - torch.atan(width_1 / height_1), 2)).squeeze(-1)
    alpha = v / (v - iou + (1 + epsilon))
    return iou - (centers_squared / diagonal_squared + v * alpha)


# ------------------------------------------------------------------ the bounding-box dict

def validate_bounding_boxes(bounding_boxes: Any) -> None:
    """Raise Keras's errors for a bounding-box dict without boxes/labels or with mismatched ones."""
    if not isinstance(bounding_boxes, dict) or "labels" not in bounding_boxes or "boxes" not in bounding_boxes:
        raise ValueError("Expected `bounding_boxes` argument to be a dict with keys 'boxes' and 'labels'. "
                         f"Received: bounding_boxes={bounding_boxes}")
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    if isinstance(boxes, list):
        if not isinstance(labels, list):
            raise ValueError("If `bounding_boxes['boxes']` is a list, then `bounding_boxes['labels']` must also be "
                             f"a list. Received: bounding_boxes['labels']={labels}")
        if len(boxes) != len(labels):
            raise ValueError("If `bounding_boxes['boxes']` and `bounding_boxes['labels']` are both lists, they must "
                             f"have the same length. Received: len(bounding_boxes['boxes'])={len(boxes)} and "
                             f"len(bounding_boxes['labels'])={len(labels)}")
        return
    boxes_shape, labels_shape = tuple(np.shape(boxes)), tuple(np.shape(labels))
    if len(boxes_shape) == 2:
        if len(labels_shape) not in (1, 2):
            raise ValueError(f"Found bounding_boxes['boxes'].shape={boxes_shape} and expected "
                             f"bounding_boxes['labels'] to have rank 1 or 2, but received: "
                             f"bounding_boxes['labels'].shape={labels_shape}")
    elif len(boxes_shape) == 3:
        if len(labels_shape) not in (2, 3):
            raise ValueError(f"Found bounding_boxes['boxes'].shape={boxes_shape} and expected "
                             f"bounding_boxes['labels'] to have rank 2 or 3, but received: "
                             f"bounding_boxes['labels'].shape={labels_shape}")
    else:
        raise ValueError("Expected `bounding_boxes['boxes']` to have rank 2 or 3, with shape (num_boxes, 4) or "
                         f"(batch_size, num_boxes, 4). Received: bounding_boxes['boxes'].shape={boxes_shape}")


def densify_bounding_boxes(bounding_boxes: dict, is_batched: bool = False, max_boxes: int | None = None,
                           boxes_default_value: float = 0, labels_default_value: int = -1,
                           backend: Any = None) -> dict:
    """Dense ``boxes`` (float32) and ``labels`` tensors; per-image lists of different lengths are padded
    (boxes of ``boxes_default_value``, labels ``labels_default_value``) to ``max_boxes`` or the longest."""
    validate_bounding_boxes(bounding_boxes)
    boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
    out = dict(bounding_boxes)
    if isinstance(boxes, list) and boxes and isinstance(boxes[0], (list, tuple, np.ndarray, torch.Tensor)) \
            and len(boxes[0]) and isinstance(_first(boxes[0]), (list, tuple, np.ndarray, torch.Tensor)):
        # A batch given as one list of boxes per image (a ragged batch).
        limit = max_boxes if max_boxes is not None else max(len(b) for b in boxes)
        new_boxes, new_labels = [], []
        for b, lab in zip(boxes, labels):
            b = [list(map(float, box)) for box in b][:limit]
            lab = [int(v) for v in lab][:limit]
            missing = limit - len(b)
            new_boxes.append(b + [[boxes_default_value] * 4] * missing)
            new_labels.append(lab + [labels_default_value] * missing)
        out["boxes"] = torch.tensor(new_boxes, dtype=torch.float32).reshape(len(boxes), limit, 4)
        out["labels"] = torch.tensor(new_labels, dtype=torch.int32)
        return out
    out["boxes"] = _tensor(boxes, torch.float32) if not isinstance(boxes, torch.Tensor) else boxes.to(torch.float32)
    out["labels"] = _tensor(labels)
    return out


def _first(value: Any) -> Any:
    return value[0]


__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou", "convert_format", "crop",
           "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"]
