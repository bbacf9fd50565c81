"""``TensorBoard``: Keras 3's TensorBoard callback written with ``torch.utils.tensorboard``.

Needs the optional ``tensorboard`` package (``pip install kerastorch[tensorboard]``); without
it, creating the callback raises an ImportError that says so. The event files hold what
Keras writes: ``epoch_<metric>`` in ``<log_dir>/train`` and ``<log_dir>/validation`` (the
``val_`` prefix dropped), ``epoch_learning_rate``, optionally ``epoch_steps_per_second``,
``batch_<metric>`` every ``update_freq`` batches, ``evaluation_<metric>_vs_iterations``,
weight histograms / images every ``histogram_freq`` epochs, the model's JSON config as the
"keras" text summary (``write_graph``) and embedding matrices (``embeddings_freq``).
As with Keras on its torch backend, there is no profiler (``profile_batch`` must be 0) and
no traced train graph.
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import torch

from kerastorch.callbacks.callback import Callback


def _summary_writer_class():
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise ImportError("keras.callbacks.TensorBoard writes TensorBoard event files with "
                          "torch.utils.tensorboard, which needs the `tensorboard` package. Install it with "
                          "`pip install tensorboard` (or `pip install kerastorch[tensorboard]`).") from e
    return SummaryWriter


def _scalar(value) -> float | None:
    if callable(value) and not isinstance(value, torch.Tensor):
        value = value()
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    value = np.asarray(value)
    return float(value) if value.size == 1 and value.dtype.kind in "biuf" else None


class TensorBoard(Callback):
    """Write training and validation metrics, weight histograms and the model config for TensorBoard.

    Args:
        log_dir: root folder of the event files (``train/`` and ``validation/`` below it).
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: write the model's JSON config as the "keras" text summary (Functional and
            Sequential models, as Keras).
        write_images: with ``histogram_freq``, also write 1-3 D weights as images.
        write_steps_per_second: add ``steps_per_second`` (epoch) / ``batch_steps_per_second``.
        update_freq: "epoch", "batch" or an integer N: batch-level scalars every N batches.
        profile_batch: must be 0 (Keras has no profiler on its torch backend either).
        embeddings_freq: every how many epochs to write the ``Embedding`` layers' matrices.
        embeddings_metadata: a metadata file for every embedding, or a dict layer name -> file.
    """

    def __init__(self, log_dir: str = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq="epoch",
                 profile_batch=0, embeddings_freq: int = 0, embeddings_metadata=None):
        super().__init__()
        self._writer_class = _summary_writer_class()
        if profile_batch:
            raise ValueError("Profiling is not yet available with the torch backend (as in Keras). "
                             f"Received: profile_batch={profile_batch} (must be 0)")
        if update_freq != "epoch" and update_freq != "batch" and (
                isinstance(update_freq, bool) or not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(f"`update_freq` must be 'epoch', 'batch' or a positive integer. "
                             f"Received: update_freq={update_freq!r}")
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, Any] = {}
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._previous_epoch_iterations = 0.0

    def _writer(self, which: str):
        if which not in self._writers:
            folder = "train" if which == "train" else "validation"
            self._writers[which] = self._writer_class(log_dir=os.path.join(self.log_dir, folder))
        return self._writers[which]

    def set_model(self, model) -> None:
        super().set_model(model)
        self._writers = {}
        if self.write_graph and type(model).__name__ in ("Functional", "Sequential"):
            self._writer("train").add_text("keras", model.to_json(), global_step=0)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        return getattr(optimizer, "inner_optimizer", optimizer)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0

    def on_train_end(self, logs: dict | None = None) -> None:
        self._close_writers()

    def on_test_end(self, logs: dict | None = None) -> None:
        optimizer = self._optimizer()
        if optimizer is None or not logs:
            return
        step = int(optimizer.iterations)
        writer = self._writer("val")
        for name, value in logs.items():
            number = _scalar(value)
            if number is not None:
                writer.add_scalar(f"evaluation_{name}_vs_iterations", number, global_step=step)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq != 0:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-9)
            writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, global_step=self._global_train_batch)
        for name, value in (logs or {}).items():
            number = _scalar(value)
            if number is not None:
                writer.add_scalar(f"batch_{name}", number, global_step=self._global_train_batch)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = float(self._optimizer().iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    def _log_epoch_metrics(self, epoch: int, logs: dict) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = self._optimizer()
        if optimizer is not None:
            inner = getattr(optimizer, "optimizers", None)
            if inner is not None:
                for opt in inner:
                    train_logs[f"learning_rate_{opt.name}"] = float(opt.learning_rate)
            else:
                train_logs["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second and optimizer is not None:
            elapsed = max(time.time() - self._epoch_start_time, 1e-9)
            train_logs["steps_per_second"] = (float(optimizer.iterations) - self._previous_epoch_iterations) / elapsed
        for which, values in (("train", train_logs), ("val", val_logs)):
            if not values:
                continue
            writer = self._writer(which)
            for name, value in values.items():
                number = _scalar(value)
                if number is not None:
                    writer.add_scalar(f"epoch_{name}", number, global_step=epoch)
            writer.flush()

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = str(getattr(weight, "path", None) or getattr(weight, "name", "weight")).replace(":", "_")
                values = weight.detach().cpu().float().numpy()
                writer.add_histogram(f"{name}/histogram", values, global_step=epoch)
                if self.write_images:
                    image = self._weight_image(values)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, global_step=epoch, dataformats="NHWC")
        writer.flush()

    @staticmethod
    def _weight_image(values: np.ndarray) -> np.ndarray | None:
        """Keras's layout: a vector as a 1-row image, a matrix wide side horizontal, a 3-D kernel per channel."""
        image = np.squeeze(values)
        if image.ndim == 1:
            image = image.reshape(1, image.shape[0], 1, 1)
        elif image.ndim == 2:
            if image.shape[0] > image.shape[1]:
                image = image.T
            image = image.reshape(1, image.shape[0], image.shape[1], 1)
        elif image.ndim == 3:
            image = np.transpose(image, (2, 0, 1))[..., None]
        else:
            return None
        low, high = image.min(), image.max()
        return (image - low) / (high - low) if high > low else np.zeros_like(image)

    def _log_embeddings(self, epoch: int) -> None:
        metadata = self.embeddings_metadata
        unused = set(metadata) if isinstance(metadata, dict) else set()
        writer = self._writer("train")
        for layer in self.model.layers:
            # Embedding layers by class (callbacks sit below layers: no import of the class itself)
            if not any(cls.__name__ == "Embedding" for cls in type(layer).__mro__):
                continue
            labels = None
            path = metadata if isinstance(metadata, str) else (metadata or {}).get(layer.name)
            unused.discard(layer.name)
            if path is not None:
                with open(path, encoding="utf-8") as f:
                    labels = [line.rstrip("\n") for line in f]
            matrix = layer.embeddings.detach().cpu()
            if labels is not None and len(labels) != matrix.shape[0]:
                labels = None  # a header line or a different vocabulary: TensorBoard would refuse it
            writer.add_embedding(matrix, metadata=labels, tag=layer.name, global_step=epoch)
        if unused:
            raise ValueError("Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                             f"`embeddings_metadata` argument: {sorted(unused)}")
