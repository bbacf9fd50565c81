"""``keras.utils.image_dataset_from_directory``: a folder of images (one sub-folder per class) as batches
of float32 images and labels.

Each image is decoded with Pillow, converted to the colour mode, and resized with
``keras.ops.image.resize`` (Keras's interpolation names, ``crop_to_aspect_ratio``, ``pad_to_aspect_ratio``),
the same steps as Keras's own loader, so pixel values match Keras's. Listing, labels and the validation split
are Keras's (``dataset_utils``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.backend.config import standardize_data_format
from kerastorch.ops import image as image_ops
from kerastorch.utils import dataset_utils
from kerastorch.utils.image_utils import open_image, to_color_mode

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}


class ImageLoader:
    """Decode and resize one image file; picklable, so DataLoader workers can use it."""

    def __init__(self, image_size: tuple[int, int], color_mode: str, interpolation: str, data_format: str,
                 crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool) -> None:
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")
        self.image_size, self.color_mode, self.interpolation = tuple(image_size), color_mode, interpolation
        self.data_format = data_format
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = crop_to_aspect_ratio, pad_to_aspect_ratio

    def __call__(self, path: str) -> torch.Tensor:
        img = torch.from_numpy(np.array(to_color_mode(open_image(path, "image_dataset_from_directory"),
                                                      self.color_mode), dtype="float32"))
        if img.ndim == 2:
            img = img[:, :, None]
        if self.data_format == "channels_first":
            img = img.permute(2, 0, 1)
        return image_ops.resize(img, self.image_size, interpolation=self.interpolation,
                                crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                pad_to_aspect_ratio=self.pad_to_aspect_ratio, data_format=self.data_format)


def image_dataset_from_directory(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size: Any = (256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format: str | None = None,
                                 format: str = "tf", verbose: bool = True,
                                 num_workers: int | None = None) -> DataLoader | list[DataLoader]:
    """Batches of ``(images, labels)`` from ``directory`` (or images only with ``labels=None``).

    Args are Keras's: ``labels`` ``"inferred"`` (from sub-folders), None, or a list of ints in file order;
    ``label_mode`` ``"int"`` / ``"categorical"`` / ``"binary"`` / None; ``subset`` ``"training"`` /
    ``"validation"`` / ``"both"`` (a [train, val] pair) with ``validation_split`` and a ``seed``;
    ``format``: Keras's ``"tf"`` (default) / ``"grain"`` name the pipeline Keras builds; here every format
    gives the same torch ``DataLoader`` (``"torch"`` says so explicitly). ``num_workers``
    (kerastorch): decoding processes, None for the default in ``dataset_utils.make_loader``.
    """
    dataset_utils.check_label_arguments(labels, label_mode, class_names, files="image files", contents="images")
    if labels is None or label_mode is None:
        labels = label_mode = None
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if format not in ("torch", "tf", "grain"):
        raise ValueError(f'`format` should be "tf", "grain" or "torch". Received: format={format}')
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    load = ImageLoader(image_size, color_mode, interpolation, standardize_data_format(data_format),
                       crop_to_aspect_ratio, pad_to_aspect_ratio)

    def build(part: str | None, shuffle_part: bool) -> DataLoader:
        part_paths, part_labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, part)
        if not part_paths:
            what = {"training": "training images", "validation": "validation images"}.get(part, "images")
            raise ValueError(f"No {what} found in directory {directory}. Allowed formats: {ALLOWLIST_FORMATS}")
        targets = dataset_utils.encode_labels(part_labels, label_mode, len(class_names or ()))
        return dataset_utils.make_loader(dataset_utils.SampleDataset(part_paths, load, targets), batch_size,
                                         shuffle_part, seed, num_workers, class_names=class_names,
                                         file_paths=part_paths)

    if subset == "both":
        return [build("training", shuffle), build("validation", False)]
    return build(subset, shuffle)
