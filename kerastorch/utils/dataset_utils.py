"""What the ``*_dataset_from_*`` helpers share: indexing a directory, Keras's validation split, and the
torch ``DataLoader`` they return.

Keras returns a ``tf.data.Dataset`` (or a Grain dataset); kerastorch returns a ``torch.utils.data.DataLoader``
over a map-style dataset of single samples, so ``fit`` takes it directly and a torch user iterates it, sets
``num_workers``, or wraps its ``.dataset`` in a ``DistributedSampler`` as usual. Each loader carries Keras's
attributes (``class_names``, ``file_paths``). Shuffling is a full reshuffle every epoch from a seeded
generator (Keras shuffles through a finite buffer), so with a ``seed`` every run sees the same orders.

Files are listed exactly as Keras lists them (sorted walk, class sub-folders in alphanumeric order or the
order of ``class_names``, then one seeded ``RandomState`` shuffle of paths and labels together), so a
``validation_split`` with the same ``seed`` puts the same files in the same subset as Keras.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


def iter_valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]):
    """(folder, file name) of every file under ``directory`` with an allowed suffix, in sorted order."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory: str, labels: Any, formats: tuple[str, ...], class_names: Sequence[str] | None = None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple[list[str], np.ndarray | list | None, list[str] | None]:
    """``(file_paths, labels, class_names)`` for a folder laid out as Keras expects (see the module doc)."""
    if not os.path.isdir(directory):
        raise ValueError(f"The directory {directory!r} does not exist or is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError("The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified."
                             if labels is None else
                             "When argument `labels` is specified, argument `class_names` cannot be specified "
                             "(the `class_names` will be the sorted list of labels).")
        subdirs = [""]
    file_paths, inferred = [], []
    for class_index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        for root, fname in iter_valid_files(folder, follow_links, formats):
            relative = os.path.join(os.path.basename(folder), os.path.relpath(os.path.join(root, fname), folder))
            file_paths.append(os.path.join(directory, relative))
            inferred.append(class_index)
    if labels == "inferred":
        labels, class_names = np.asarray(inferred, dtype="int32"), list(subdirs)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(file_paths):
            raise ValueError("Expected the lengths of `labels` to match the number of files in the target "
                             f"directory. len(labels) is {len(labels)} while we found {len(file_paths)} files in "
                             f"directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        print(f"Found {len(file_paths)} files." if labels is None else
              f"Found {len(file_paths)} files belonging to {len(class_names)} classes.")
    if shuffle:  # one global shuffle, paths and labels with the same seed (Keras's order)
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def check_label_arguments(labels: Any, label_mode: str | None, class_names: Sequence[str] | None, *,
                          files: str, contents: str, subject: str = "`labels` argument") -> None:
    """Keras's checks of ``labels`` / ``label_mode`` / ``class_names`` for a ``*_dataset_from_directory``
    (``files``: "image files", ``contents``: "images" ... as each Keras function words its message)."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{subject} should be a list/tuple of integer labels, of the same size as the number "
                             f"of {files} in the target directory. If you wish to infer the labels from the "
                             'subdirectory names in the target directory, pass `labels="inferred"`. If you wish to '
                             f"get a dataset that only contains {contents} (no labels), pass `labels=None`. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")


def check_validation_split_arg(validation_split: float | None, subset: str | None, shuffle: bool,
                               seed: int | None) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def get_training_or_validation_split(samples: list, labels: Any, validation_split: float | None,
                                     subset: str | None) -> tuple[list, Any]:
    """Keras's split of an indexed folder: the last ``validation_split`` fraction is validation."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        part = slice(None, len(samples) - num_val)
    elif subset == "validation":
        print(f"Using {num_val} files for validation.")
        part = slice(len(samples) - num_val, None)
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples[part], (labels[part] if labels is not None else None)


def encode_labels(labels: Any, label_mode: str | None, num_classes: int) -> np.ndarray | None:
    """Integer class ids as Keras's ``label_mode``: ``int`` (int32), ``binary`` (float32, shape (n, 1)),
    ``categorical`` (float32 one-hot)."""
    if label_mode is None or labels is None:
        return None
    ids = np.asarray(labels, dtype="int32")
    if label_mode == "binary":
        return ids.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[ids]
    return ids


class SampleDataset(Dataset):
    """Map-style dataset: ``load(items[i])``, paired with ``targets[i]`` when there are targets."""

    def __init__(self, items: Sequence, load: Callable[[Any], Any], targets: np.ndarray | None = None) -> None:
        self.items, self.load, self.targets = items, load, targets

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Any:
        sample = self.load(self.items[index])
        return sample if self.targets is None else (sample, self.targets[index])


def collate_strings(batch: list) -> Any:
    """Batches of text as numpy arrays of Python strings (what TextVectorization and ``fit`` take)."""
    if isinstance(batch[0], tuple):
        texts, targets = zip(*batch)
        return np.array(texts, dtype=object), torch.utils.data.default_collate(list(targets))
    return np.array(batch, dtype=object)


def make_loader(dataset: Dataset, batch_size: int | None, shuffle: bool, seed: int | None,
                num_workers: int | None = None, collate_fn: Callable | None = None, **attributes: Any) -> DataLoader:
    """The ``DataLoader`` a ``*_dataset_from_*`` helper returns, with Keras's attributes set on it.

    ``num_workers=None`` decodes in the main process on CPU-only machines and in up to 4 worker
    processes when CUDA is available, so the GPU is not left waiting for decoding.
    """
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"`batch_size` must be a positive integer or None. Received: batch_size={batch_size!r}")
    if num_workers is None:
        num_workers = min(4, os.cpu_count() or 1) if torch.cuda.is_available() else 0
    generator = None
    if shuffle:
        generator = torch.Generator()
        generator.manual_seed(int(np.random.randint(1e6) if seed is None else seed))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator,
                        num_workers=num_workers, collate_fn=collate_fn,
                        pin_memory=torch.cuda.is_available(), persistent_workers=num_workers > 0)
    for name, value in attributes.items():
        setattr(loader, name, value)
    return loader
