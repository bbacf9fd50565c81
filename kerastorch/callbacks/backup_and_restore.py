"""``BackupAndRestore``: resume an interrupted ``fit`` where it stopped.

At the end of every epoch (or every ``save_freq`` batches) the callback writes one
checkpoint file holding everything a bit-exact resume needs: the model's
``state_dict``, the optimizer state (``get_state``), the epoch counter and the RNG
states (torch, CUDA, numpy, Python ``random`` and the trainer's shuffling generator,
through ``model._get_rng_state()``). The file is written to a temporary name in the
backup folder and renamed into place, so a process killed mid-save leaves the
previous checkpoint intact. When ``fit`` starts again with the same callback
folder, the checkpoint is restored and training continues from the next epoch
(the trainer reads ``model._initial_epoch``). The checkpoint is deleted when
training ends normally, unless ``delete_checkpoint=False``. In a distributed run every process
restores from the same file and only process 0 writes it.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import torch

from kerastorch import distribution
from kerastorch.callbacks.callback import Callback

_CHECKPOINT = "checkpoint.pt"


class BackupAndRestore(Callback):
    """Back up the training state to ``backup_dir`` and restore it when ``fit`` is rerun.

    Args:
        backup_dir: folder for the checkpoint (created if needed). Use a folder of its own.
        save_freq: ``"epoch"`` (default) or an integer number of batches. Resuming is exact only
            for ``"epoch"``; with batches, the interrupted epoch is rerun from its start with the
            weights saved mid-epoch (as in Keras).
        delete_checkpoint: delete the checkpoint when training finishes.
        double_checkpoint: keep the previous checkpoint too (``checkpoint.pt.bkp``) and fall back
            to it if the latest one cannot be read.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True, save_before_preemption: bool = False):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed to BackupAndRestore.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq <= 0):
            raise ValueError(f"Invalid value for argument `save_freq`: expected 'epoch' or a positive integer. "
                             f"Received: save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.double_checkpoint = double_checkpoint
        self._path = os.path.join(self.backup_dir, _CHECKPOINT)
        self._prev_path = self._path + ".bkp"
        self._current_epoch = 0
        self._batches_seen = 0
        self._epoch_rng = None

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        if not getattr(self.model, "built", True):
            raise ValueError("To use the BackupAndRestore callback, your model must be built before you call "
                             "`fit()`. Call the model on data, build it with an input shape, or start it with "
                             "`keras.Input`.")
        state = self._read_checkpoint()
        if state is not None:
            self._restore(state)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        self._batches_seen = 0
        if self.save_freq != "epoch":
            self._epoch_rng = self._rng_state()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(epoch=self._current_epoch, rng=self._epoch_rng)

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        if self.save_freq == "epoch":
            self._save(epoch=epoch + 1, rng=self._rng_state())

    def on_train_end(self, logs=None):
        if not self.delete_checkpoint or not distribution.is_chief():
            return
        for path in (self._path, self._prev_path):
            if os.path.exists(path):
                os.remove(path)
        try:
            os.rmdir(self.backup_dir)  # only when empty: never delete files we did not write
        except OSError:
            pass

    # ------------------------------------------------------------------ state
    def _rng_state(self):
        getter = getattr(self.model, "_get_rng_state", None)
        if callable(getter):
            return getter()
        state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": __import__(
            "random").getstate()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def _set_rng_state(self, state) -> None:
        setter = getattr(self.model, "_set_rng_state", None)
        if callable(setter):
            setter(state)
            return
        torch.set_rng_state(state["torch"])
        np.random.set_state(state["numpy"])
        __import__("random").setstate(state["python"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])

    def _save(self, epoch: int, rng) -> None:
        # local import: saving sits above callbacks; this callback writes checkpoint files through it
        from kerastorch.saving.file_utils import atomic_path
        if not distribution.is_chief():
            return  # distributed: every rank restores, rank 0 writes (the trainer waits at a barrier)
        model = self.model
        optimizer = getattr(model, "optimizer", None)
        state = {
            "format": "kerastorch.BackupAndRestore/1",
            "epoch": int(epoch),
            "model": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
            "weights": [torch.from_numpy(np.ascontiguousarray(w)) for w in model.get_weights()],
            "optimizer": ({k: v.detach().cpu().clone() for k, v in optimizer.get_state().items()}
                          if optimizer is not None and getattr(optimizer, "built", False) else None),
            "rng": _to_safe(rng),
        }
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._path):
            os.replace(self._path, self._prev_path)
        with atomic_path(self._path) as tmp:
            with open(tmp, "wb") as f:
                torch.save(state, f)
                f.flush()
                os.fsync(f.fileno())

    def _read_checkpoint(self):
        for path in (self._path, self._prev_path):
            if not os.path.exists(path):
                continue
            try:
                state = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as e:  # noqa: BLE001 - a damaged backup: try the previous one
                warnings.warn(f"BackupAndRestore could not read the checkpoint {path!r} ({type(e).__name__}: "
                              f"{e}).", stacklevel=3)
                continue
            if isinstance(state, dict) and state.get("format", "").startswith("kerastorch.BackupAndRestore"):
                return state
            warnings.warn(f"{path!r} is not a BackupAndRestore checkpoint; ignoring it.", stacklevel=3)
        return None

    def _restore(self, state: dict) -> None:
        model = self.model
        own = model.state_dict()
        saved = state["model"]
        if set(own) == set(saved) and all(own[k].shape == saved[k].shape for k in own):
            model.load_state_dict(saved)
        else:  # layer names differ (auto-naming): restore by position, in Keras order
            model.set_weights([w.numpy() for w in state["weights"]])
        optimizer = getattr(model, "optimizer", None)
        if state.get("optimizer") is not None and optimizer is not None:
            optimizer.set_state(state["optimizer"])
        if state.get("rng") is not None:
            self._set_rng_state(_from_safe(state["rng"]))
        self._current_epoch = int(state["epoch"])
        model._initial_epoch = self._current_epoch


# Values torch.load(weights_only=True) accepts: tensors, numbers, strings, None, lists, dicts.
def _to_safe(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, np.ndarray):
        return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(value).copy()), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_to_safe(v) for v in value]}
    if isinstance(value, list):
        return [_to_safe(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_to_safe(k), _to_safe(v)] for k, v in value.items()]}
    return value


def _from_safe(value):
    if isinstance(value, list):
        return [_from_safe(v) for v in value]
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return value["__ndarray__"].numpy().astype(value.get("dtype") or None)
        if "__tuple__" in value:
            return tuple(_from_safe(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {_from_safe(k): _from_safe(v) for k, v in value["__dict__"]}
    return value
