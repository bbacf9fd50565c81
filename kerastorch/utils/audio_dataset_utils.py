"""``keras.utils.audio_dataset_from_directory``: a folder of ``.wav`` files (one sub-folder per class) as
batches of float32 waveforms and labels.

Listing, labels and the validation split are Keras's (``dataset_utils``). Decoding is TensorFlow's
``decode_wav`` done with the standard library's ``wave``: PCM samples scaled to [-1, 1) (16-bit:
``x / 32768``), shape ``(samples, channels)``; ``output_sequence_length`` cuts or zero-pads every file
to that length, and without it each batch is zero-padded to its longest file (``padded_batch``).
``sampling_rate`` (resampling) needs tensorflow-io in Keras and is not available here (an
ImportError says so); ragged batches do not exist in torch (a ValueError says what to use).
"""
from __future__ import annotations

import wave
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader

from kerastorch.utils import dataset_utils

ALLOWED_FORMATS = (".wav",)


class WavLoader:
    """Read one PCM ``.wav`` file as float32 ``(samples, channels)``; picklable for workers."""

    def __init__(self, output_sequence_length: int | None) -> None:
        self.output_sequence_length = output_sequence_length

    def __call__(self, path: str) -> torch.Tensor:
        try:
            with wave.open(path, "rb") as f:
                channels, width, frames = f.getnchannels(), f.getsampwidth(), f.getnframes()
                raw = f.readframes(frames)
        except (wave.Error, EOFError) as error:
            raise ValueError(f"Could not decode {path!r} as a PCM .wav file: {error}") from error
        if width == 1:  # 8-bit PCM is unsigned
            audio = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
        elif width == 2:
            audio = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
        elif width == 3:
            b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
            ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
            audio = np.where(ints >= 1 << 23, ints - (1 << 24), ints).astype(np.float32) / float(1 << 23)
        elif width == 4:
            audio = np.frombuffer(raw, dtype="<i4").astype(np.float64) / float(1 << 31)
            audio = audio.astype(np.float32)
        else:
            raise ValueError(f"{path!r}: unsupported sample width of {width} bytes.")
        audio = audio.reshape(-1, channels)
        length = self.output_sequence_length
        if length is not None:
            audio = audio[:length]
            if audio.shape[0] < length:
                audio = np.pad(audio, ((0, length - audio.shape[0]), (0, 0)))
        return torch.from_numpy(np.ascontiguousarray(audio))


def collate_padded(batch: list) -> Any:
    """Waveforms zero-padded at the end to the batch's longest (``tf.data``'s ``padded_batch``)."""
    pairs = isinstance(batch[0], tuple)
    audios = [b[0] for b in batch] if pairs else batch
    longest = max(a.shape[0] for a in audios)
    padded = torch.stack([torch.nn.functional.pad(a, (0, 0, 0, longest - a.shape[0])) for a in audios])
    if not pairs:
        return padded
    return padded, torch.utils.data.default_collate([b[1] for b in batch])


def audio_dataset_from_directory(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None, batch_size: int | None = 32,
                                 sampling_rate: int | None = None, output_sequence_length: int | None = None,
                                 ragged: bool = False, shuffle: bool = True, seed: int | None = None,
                                 validation_split: float | None = None, subset: str | None = None,
                                 follow_links: bool = False, verbose: bool = True,
                                 num_workers: int | None = None) -> DataLoader | list[DataLoader]:
    """Batches of ``(audio, labels)`` from ``directory`` (audio only with ``labels=None``).

    Args are Keras's (see ``image_dataset_from_directory`` for labels and the split).
    ``audio`` is float32 ``(batch, samples, channels)``. ``num_workers`` (kerastorch): decoding
    processes (default: none on CPU-only machines).
    """
    dataset_utils.check_label_arguments(labels, label_mode, class_names, files="audio files",
                                        contents="audio samples", subject="The `labels` argument")
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if ragged:
        raise ValueError("`ragged=True` needs ragged tensors, which torch does not have. Leave it False: each "
                         "batch is zero-padded to its longest file (or pass `output_sequence_length`).")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")
        raise ImportError("To use the argument `sampling_rate`, Keras resamples with tensorflow-io, which kerastorch "
                          "does not use. Resample the files beforehand (e.g. torchaudio.functional.resample) and "
                          "leave `sampling_rate=None`.")
    if labels is None or label_mode is None:
        labels = label_mode = None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    seed = np.random.randint(1e6) if seed is None else seed
    paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWED_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    load = WavLoader(output_sequence_length)
    collate = collate_padded if batch_size is not None and output_sequence_length is None else None

    def build(part: str | None, shuffle_part: bool) -> DataLoader:
        part_paths, part_labels = dataset_utils.get_training_or_validation_split(paths, labels, validation_split, part)
        if not part_paths:
            raise ValueError(f"No audio files found in directory {directory}. Allowed format(s): {ALLOWED_FORMATS}")
        targets = dataset_utils.encode_labels(part_labels, label_mode, len(class_names or ()))
        return dataset_utils.make_loader(dataset_utils.SampleDataset(part_paths, load, targets), batch_size,
                                         shuffle_part, seed, num_workers, collate, class_names=class_names,
                                         file_paths=part_paths)

    if subset == "both":
        return [build("training", shuffle), build("validation", False)]
    return build(subset, shuffle)
