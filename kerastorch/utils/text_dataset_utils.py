"""``keras.utils.text_dataset_from_directory``: a folder of ``.txt`` files (one sub-folder per class) as
batches of strings and labels.

Listing, labels and the validation split are Keras's (``dataset_utils``). Texts arrive as numpy arrays
of Python strings, the input TextVectorization and other string preprocessing take.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from torch.utils.data import DataLoader

from kerastorch.utils import dataset_utils


class TextLoader:
    """Read one text file, optionally cut to ``max_length`` characters; picklable for workers."""

    def __init__(self, max_length: int | None, encoding: str) -> None:
        self.max_length, self.encoding = max_length, encoding

    def __call__(self, path: str) -> str:
        with open(path, encoding=self.encoding) as f:
            text = f.read()
        return text if self.max_length is None else text[: self.max_length]


def text_dataset_from_directory(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                                class_names: Sequence[str] | None = None, batch_size: int | None = 32,
                                max_length: int | None = None, shuffle: bool = True, seed: int | None = None,
                                validation_split: float | None = None, subset: str | None = None,
                                follow_links: bool = False, format: str = "tf", verbose: bool = True,
                                num_workers: int | None = None,
                                encoding: str = "utf-8") -> DataLoader | list[DataLoader]:
    """Batches of ``(texts, labels)`` from ``directory`` (or texts only with ``labels=None``).

    Args are Keras's (see ``image_dataset_from_directory``); ``max_length`` cuts each text to that many
    characters. ``encoding`` (kerastorch): how the files are decoded.
    """
    dataset_utils.check_label_arguments(labels, label_mode, class_names, files="text files", contents="text")
    if format not in ("torch", "tf", "grain"):
        raise ValueError(f'`format` should be "tf", "grain" or "torch". Received: format={format}')
    if labels is None or label_mode is None:
        labels = label_mode = None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    load = TextLoader(max_length, encoding)
    collate = dataset_utils.collate_strings if batch_size is not None else None

    def build(part: str | None, shuffle_part: bool) -> DataLoader:
        part_paths, part_labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, part)
        if not part_paths:
            what = {"training": "training text files", "validation": "validation text files"}.get(part, "text files")
            raise ValueError(f"No {what} found in directory {directory}. Allowed format: .txt")
        targets = dataset_utils.encode_labels(part_labels, label_mode, len(class_names or ()))
        return dataset_utils.make_loader(dataset_utils.SampleDataset(part_paths, load, targets), batch_size,
                                         shuffle_part, seed, num_workers, collate, class_names=class_names,
                                         file_paths=part_paths)

    if subset == "both":
        return [build("training", shuffle), build("validation", False)]
    return build(subset, shuffle)
