"""Data-parallel ``fit`` / ``evaluate`` / ``predict``: the trainer's side of ``keras.distribution``.

The trainer asks ``attach(model)`` once per call and talks to what it gets through a handful of
hooks; in one process that is ``SINGLE_PROCESS``, whose hooks return their input, so the
single-process loop is the same code with nothing added. In a run of N processes
(``torchrun``, or any initialized ``torch.distributed`` group of two or more) it is a
``DataParallelRun``:

* **gradients**: while ``fit`` runs, the model's outermost grad-enabled call goes through
  ``torch.nn.parallel.DistributedDataParallel`` (the model's instance ``forward`` routes it; DDP
  calls the class's ``forward`` back), so ``loss.backward()`` all-reduces the gradients in
  buckets, overlapped with the backward pass. Any ``train_step`` that calls ``self(x)`` and
  ``loss.backward()`` (the built-in one, or the Keras torch guide's custom one) gets averaged
  gradients; validation and inference calls (no grad) skip DDP. DDP broadcasts rank 0's weights
  and buffers when it is built (at the first training step), so every rank starts equal.
  ``jit_compile=True`` compiles the DDP module (``torch.compile(ddp)``, whose DDP optimizer
  splits the graph at bucket boundaries) and runs the eager step around it;
* **data**: ``batch_size`` is the *global* batch. Array data: every rank draws the same
  shuffled order (the trainer's shuffle generator is broadcast from rank 0 at the start, so
  each epoch reshuffles identically everywhere) and takes its contiguous slice of each global
  batch, so N processes see exactly the batches one process would. ``PyDataset``: batch
  indices are shuffled with the shared generator and dealt round-robin (each rank loads only its
  batches; a PyDataset batch is a per-rank batch). ``DataLoader``: rebuilt with a
  ``DistributedSampler`` (seeded from the shared generator, ``set_epoch`` every epoch; the
  loader's batch size is per rank). A ``Dataset``: batched at ``batch_size // N`` per rank.
  Generators: every rank reads the whole stream and keeps every N-th batch (only whole rounds,
  so every rank runs the same number of steps);
* **logs**: at the end of each epoch and of ``evaluate`` the metric states are summed over the
  processes (one all-reduce) and the results computed from the sums, so every rank logs the
  global loss and metrics (a custom step's plain dict: its metric names the same way, other
  values averaged). Batch logs (the progress bar mid-epoch) stay rank 0's running values;
* **callbacks**: the progress bar, ``ModelCheckpoint``, ``CSVLogger``, ``TensorBoard`` and
  ``RemoteMonitor`` run on rank 0 only (inside ``chief_only_section``); every other callback
  runs on every rank and sees the same global logs, so ``EarlyStopping`` / ``ReduceLROnPlateau``
  decide the same everywhere; ``stop_training`` is OR-reduced after each epoch (and after each
  batch when an all-rank callback other than kerastorch's schedulers has batch hooks) and
  every rank waits at a barrier there;
* **failures**: a collective that fails because another process died or timed out
  (``KERASTORCH_DISTRIBUTED_TIMEOUT``) is re-raised with a message that says so.
"""
from __future__ import annotations

import contextlib
import math
import warnings
from typing import Any

import torch
import torch.distributed as dist

from kerastorch import distribution as distribution_module
from kerastorch.backend import tree
from kerastorch.callbacks import (
    BackupAndRestore,
    CallbackList,
    CSVLogger,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    OneCycleScheduler,
    ProgbarLogger,
    ReduceLROnPlateau,
    RemoteMonitor,
    SwapEMAWeights,
    TensorBoard,
)
from kerastorch.callbacks.callback import BATCH_HOOK_ALIASES, Callback, overrides
from kerastorch.trainer.data.array_adapter import ArrayDataAdapter
from kerastorch.trainer.data.base import DataAdapter
from kerastorch.trainer.data.generator_adapter import GeneratorDataAdapter
from kerastorch.trainer.data.sequence_adapter import SequenceDataAdapter
from kerastorch.trainer.data.torch_adapter import TorchDataLoaderAdapter
from kerastorch.trainer.loop import LazyLogs

# Callbacks that write files or the console: rank 0 runs them, the other ranks leave them out.
CHIEF_ONLY_CALLBACKS = (ProgbarLogger, ModelCheckpoint, CSVLogger, TensorBoard, RemoteMonitor)
# kerastorch's callbacks whose batch hooks never set stop_training (exact classes): they cost no
# per-batch agreement (one small all-reduce, and on a GPU a host sync, per step).
NEVER_STOP_MID_EPOCH = (OneCycleScheduler, LearningRateScheduler, ReduceLROnPlateau, SwapEMAWeights,
                        BackupAndRestore, History)


class SingleProcess:
    """The hooks of one process: each returns its input (the single-process loop, unchanged)."""

    active = False

    def shard(self, data: DataAdapter, mode: str) -> DataAdapter:
        return data

    def callback_list(self, callbacks: CallbackList) -> CallbackList:
        return callbacks

    def global_logs(self, model, logs: Any) -> Any:
        return logs

    def gather_predictions(self, outputs: list) -> list:
        return outputs

    @contextlib.contextmanager
    def fitting(self, model):
        yield

    @contextlib.contextmanager
    def collectives(self):
        yield


SINGLE_PROCESS = SingleProcess()


def attach(model) -> SingleProcess | "DataParallelRun":
    """The hooks for this call of ``fit``/``evaluate``/``predict`` (see the module docstring)."""
    run = distribution_module.current_run()
    if run is None:
        return SINGLE_PROCESS
    return DataParallelRun(run)


class DataParallelRun(SingleProcess):
    """The hooks of one process of an N-process data-parallel run."""

    active = True

    def __init__(self, run) -> None:
        self.rank = run.rank
        self.world_size = run.world_size
        self.auto_shard = run.auto_shard
        self._predict_slices: _GlobalBatchSlices | None = None

    # ------------------------------------------------------------ data
    def shard(self, data: DataAdapter, mode: str) -> DataAdapter:
        """This rank's share of ``data`` (the same number of batches on every rank)."""
        if not self.auto_shard:
            return data
        if isinstance(data, ArrayDataAdapter):
            with self.collectives():
                _check_same_on_all_ranks(data.num_samples, "number of samples")
            sliced = _GlobalBatchSlices(data, self.rank, self.world_size)
            if mode == "predict":
                self._predict_slices = sliced
            return sliced
        if mode == "predict":
            # Per-rank batches of a dataset cannot be put back in order cheaply: every rank
            # predicts everything (same outputs everywhere).
            return data
        if isinstance(data, SequenceDataAdapter):
            return _SequenceShard(data, self.rank, self.world_size)
        if isinstance(data, TorchDataLoaderAdapter):
            return _loader_shard(data, self.rank, self.world_size)
        if isinstance(data, GeneratorDataAdapter):
            return _RoundRobinBatches(data, self.rank, self.world_size)
        return data

    def gather_predictions(self, outputs: list) -> list:
        """Every rank's predictions, in the order of the data (array data is split per batch)."""
        gathers = getattr(self._predict_slices, "_run_gathers", None)
        if gathers is None:
            return outputs
        pieces = [tree.map_structure(lambda t: t.detach().cpu(), o) for o in outputs]
        everyone: list = [None] * self.world_size
        with self.collectives():
            dist.all_gather_object(everyone, pieces)
        merged = []
        for i, pads in enumerate(gathers):
            parts = [everyone[r][i] for r in range(self.world_size) if not pads[r]]
            if len(parts) == 1:
                merged.append(parts[0])
                continue
            flat = [tree.flatten(p) for p in parts]
            cat = [torch.cat([f[k] for f in flat]) for k in range(len(flat[0]))]
            merged.append(tree.pack_sequence_as(parts[0], cat))
        return merged

    # -------------------------------------------------------- training
    @contextlib.contextmanager
    def fitting(self, model):
        """While ``fit`` runs: a shared shuffle seed, and training calls routed through DDP."""
        with self.collectives():
            _broadcast_generator(model._shuffle_generator)
        route = _DDPForward(model, compile_forward=bool(model.jit_compile) and not model.run_eagerly)
        model.__dict__["forward"] = route
        # The compiled step (functional_call + torch.func.grad), or a user's train_step compiled
        # whole, would bypass DDP's hooks: the eager step runs instead, its forward compiled
        # through the DDP module (the route above) under jit_compile.
        cached_step = model._step_cache.pop("train", None)
        if model.steps_per_execution == 1:  # else _step_function raises Keras's error
            model._step_cache["train"] = model.train_step
        try:
            with self.collectives():
                yield
        finally:
            model.__dict__.pop("forward", None)
            model._step_cache.pop("train", None)
            if cached_step is not None:
                model._step_cache["train"] = cached_step

    # ------------------------------------------------------------ logs
    def global_logs(self, model, logs: Any) -> Any:
        """The logs of the whole run: metric states summed over the processes, results from the sums."""
        if logs is None:
            return None
        if isinstance(logs, LazyLogs):
            metrics = list(logs._metrics)
            self._sum_metric_states(metrics)
            # Filled in now: the progress bar holds this object and reads it after validation
            # has reused the metrics.
            logs._values = {m.name: m.result() for m in metrics}
            return logs
        if not hasattr(logs, "items"):
            return logs
        by_name = {m.name: m for m in model.metrics}
        named = [by_name[k] for k in logs if k in by_name]
        self._sum_metric_states(named)
        out = {}
        others = [k for k in logs if k not in by_name and _is_number(logs[k])]
        if others:
            values = torch.tensor([float(_as_float(logs[k])) for k in others], dtype=torch.float64,
                                  device=_collective_device())
            with self.collectives():
                dist.all_reduce(values)
            averaged = dict(zip(others, (values / self.world_size).tolist()))
        else:
            averaged = {}
        for k, v in logs.items():
            out[k] = by_name[k].result() if k in by_name else averaged.get(k, v)
        return out

    def _sum_metric_states(self, metrics: list) -> None:
        variables = [v for m in metrics for v in m.variables]
        if not variables:
            return
        device = _collective_device()
        flat = torch.cat([v.detach().reshape(-1).to(device, torch.float64) for v in variables])
        with self.collectives():
            dist.all_reduce(flat)
        offset = 0
        with torch.no_grad():
            for v in variables:
                n = v.numel()
                v.copy_(flat[offset:offset + n].reshape(v.shape).to(v.device, v.dtype))
                offset += n

    # ------------------------------------------------------- callbacks
    def callback_list(self, callbacks: CallbackList) -> CallbackList:
        return _DistributedCallbackList(callbacks, self)

    def any_rank(self, flag: bool) -> bool:
        value = torch.tensor([1.0 if flag else 0.0], device=_collective_device())
        with self.collectives():
            dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item() > 0)

    def barrier(self) -> None:
        with self.collectives():
            dist.barrier()

    # -------------------------------------------------------- failures
    @contextlib.contextmanager
    def collectives(self):
        """Re-raise a failed collective (a process died, raised or timed out) saying so."""
        try:
            yield
        except (dist.DistBackendError, dist.DistNetworkError) as e:
            raise type(e)(_peer_failure_message(self.rank, self.world_size, e)) from e
        except RuntimeError as e:
            text = str(e)
            if any(s in text for s in ("Connection closed by peer", "Connection reset", "Timed out", "timed out",
                                       "Socket Timeout", "NCCL", "Gloo", "gloo")) \
                    and "another process" not in text:
                raise RuntimeError(_peer_failure_message(self.rank, self.world_size, e)) from e
            raise


def _peer_failure_message(rank: int, world_size: int, error: BaseException) -> str:
    return (f"Process {rank} of {world_size} of the distributed run could not complete a collective operation: "
            "another process raised an error, was killed, or stopped taking part (its own error, above or in "
            "its log, says why). Collectives wait KERASTORCH_DISTRIBUTED_TIMEOUT seconds (default "
            f"{distribution_module.distribution_lib.DEFAULT_TIMEOUT_S:.0f}) before giving up. "
            f"torch.distributed said: {type(error).__name__}: {str(error)[:500]}")


def _collective_device() -> torch.device:
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _is_number(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.numel() == 1
    return isinstance(value, (int, float))


def _as_float(value: Any) -> float:
    return float(value.detach().item()) if isinstance(value, torch.Tensor) else float(value)


def _broadcast_generator(generator: torch.Generator) -> None:
    state = generator.get_state()
    device = _collective_device()
    state_dev = state.to(device)
    dist.broadcast(state_dev, src=0)
    generator.set_state(state_dev.cpu())


def _check_same_on_all_ranks(value: int, what: str) -> None:
    values = torch.tensor([value], dtype=torch.int64, device=_collective_device())
    low, high = values.clone(), values.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    if int(low.item()) != int(high.item()):
        raise ValueError(f"The processes of the distributed run passed different data ({what}: from {int(low)} to "
                         f"{int(high)}). With auto_shard_dataset=True (the default) every process passes the "
                         "same arrays and takes its own share of each batch; when each process already holds "
                         "its own part, use keras.distribution.set_distribution("
                         "keras.distribution.DataParallel(auto_shard_dataset=False)).")


# ------------------------------------------------------------------ DDP forward
class _DDPForward:
    """The model's instance ``forward`` during a distributed ``fit`` (see the module docstring)."""

    def __init__(self, model, compile_forward: bool) -> None:
        self.model = model
        self.original = type(model).forward.__get__(model)
        self.compile_forward = compile_forward
        self.ddp: torch.nn.parallel.DistributedDataParallel | None = None
        self.call: Any = None
        self.key: tuple | None = None
        self.inside = False

    def __call__(self, *args, **kwargs):
        if self.inside or not torch.is_grad_enabled():
            return self.original(*args, **kwargs)
        if self.ddp is None or self.key != self._params_key():
            self._wrap(args, kwargs)
        self.inside = True
        try:
            if self.call is self.ddp:
                return self.ddp(*args, **kwargs)
            return self._compiled(args, kwargs)
        finally:
            self.inside = False

    def _compiled(self, args, kwargs):
        try:
            return self.call(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - any compile failure means "run eagerly", as jit_compile does
            warnings.warn(f"jit_compile=True: torch.compile could not compile the DistributedDataParallel forward "
                          f"({type(e).__name__}: {str(e)[:200]}); falling back to eager execution.", stacklevel=3)
            self.call = self.ddp
            return self.ddp(*args, **kwargs)

    def _params_key(self) -> tuple:
        return tuple(id(p) for p in self.model.parameters() if p.requires_grad)

    def _wrap(self, args, kwargs) -> None:
        model = self.model
        if next(iter(model.parameters()), None) is None:
            # A subclassed model makes its weights on its first call: build it (inference mode,
            # no gradients, its add_loss results dropped) so that DDP sees every weight.
            build_kwargs = dict(kwargs)
            if "training" in build_kwargs:
                build_kwargs["training"] = False
            with torch.no_grad():
                self.original(*args, **build_kwargs)
            for layer in model._flatten_layers():
                if getattr(layer, "_losses", None):
                    layer._losses = []
        first = next(iter(model.parameters()), None)
        device_ids = [first.device.index] if first is not None and first.device.type == "cuda" else None
        # static_graph: weights that get no gradient (an output without a loss) are found in the
        # first iteration instead of failing the next one, at no per-step cost.
        self.ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=device_ids, static_graph=True)
        self.call = torch.compile(self.ddp) if self.compile_forward else self.ddp
        self.key = self._params_key()


# ------------------------------------------------------------------ data shards
class _GlobalBatchSlices(DataAdapter):
    """This rank's contiguous slice of each global batch of an ``ArrayDataAdapter``."""

    def __init__(self, data: ArrayDataAdapter, rank: int, world_size: int) -> None:
        self.data = data
        self.rank = rank
        self.world_size = world_size
        self.num_batches = data.num_batches
        self.batch_size = data.batch_size

    def iter_epoch(self):
        w, r = self.world_size, self.rank
        gathers: list = []
        self._run_gathers = gathers
        for batch in self.data.iter_epoch():
            n = int(tree.flatten(batch)[0].shape[0])
            lo, hi = (r * n) // w, ((r + 1) * n) // w
            pads = [((q + 1) * n) // w == (q * n) // w for q in range(w)]
            gathers.append(pads)
            if hi == lo:  # fewer samples than processes: this rank repeats the batch's first sample
                lo, hi = 0, 1
            yield tree.map_structure(lambda v, lo=lo, hi=hi: v[lo:hi] if hasattr(v, "shape") else v, batch)

    def on_epoch_end(self) -> None:
        self.data.on_epoch_end()


class _SequenceShard(DataAdapter):
    """A ``PyDataset``'s batch indices, shuffled with the shared generator, dealt round-robin."""

    def __init__(self, data: SequenceDataAdapter, rank: int, world_size: int) -> None:
        self.data = data
        self.rank = rank
        self.world_size = world_size
        self.num_batches = math.ceil((data.num_batches or 0) / world_size)

    def iter_epoch(self):
        data = self.data
        n = len(data.sequence)
        order = torch.randperm(n, generator=data.generator).tolist() if data.shuffle else list(range(n))
        order = order[:data.num_batches]
        # Pad by wrapping around, as DistributedSampler does, so every rank runs the same steps.
        order += order[:self.num_batches * self.world_size - len(order)]
        inner = _OneSequence(data, order[self.rank::self.world_size])
        yield from inner.iter_epoch()

    def on_epoch_end(self) -> None:
        self.data.on_epoch_end()


class _OneSequence(SequenceDataAdapter):
    """A ``SequenceDataAdapter`` reading the given batch indices in the given order."""

    def __init__(self, data: SequenceDataAdapter, indices: list[int]) -> None:
        super().__init__(_Indexed(data.sequence, indices), shuffle=False, device=data.device,
                         class_weight=data.class_weight)


class _Indexed:
    def __init__(self, sequence, indices: list[int]) -> None:
        self.sequence = sequence
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int):
        return self.sequence[self.indices[i]]


def _loader_shard(data: TorchDataLoaderAdapter, rank: int, world_size: int) -> DataAdapter:
    loader = data.loader
    dataset = loader.dataset
    if isinstance(dataset, torch.utils.data.IterableDataset) or loader.batch_size is None:
        return _RoundRobinBatches(data, rank, world_size)
    if isinstance(loader.sampler, torch.utils.data.distributed.DistributedSampler):
        return data  # the user sharded it already
    shuffle = isinstance(loader.sampler, torch.utils.data.RandomSampler)
    seed = int(torch.randint(0, 2 ** 31 - 1, (1,), generator=_shared_generator()).item())
    sampler: torch.utils.data.distributed.DistributedSampler = torch.utils.data.distributed.DistributedSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=shuffle, seed=seed)
    batch_size = loader.batch_size
    if getattr(data, "_made_from_dataset", False):  # our own loader: fit's batch_size is the global batch
        batch_size = max(1, batch_size // world_size)
    rebuilt = torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, sampler=sampler, num_workers=loader.num_workers,
        collate_fn=loader.collate_fn, pin_memory=loader.pin_memory, drop_last=loader.drop_last,
        timeout=loader.timeout, worker_init_fn=loader.worker_init_fn,
        persistent_workers=loader.persistent_workers if loader.num_workers > 0 else False)
    steps = data.num_batches
    if steps is not None and steps == len(loader):
        steps = None  # the whole (sharded) loader
    sharded = TorchDataLoaderAdapter(rebuilt, steps=steps, device=data.device, class_weight=data.class_weight)
    return _EpochSampler(sharded, sampler)


_SHARED: dict[str, torch.Generator | None] = {"generator": None}


def _shared_generator() -> torch.Generator:
    """A generator seeded alike on every rank (the seed broadcast from rank 0 once)."""
    if _SHARED["generator"] is None:
        seed = torch.randint(0, 2 ** 62, (1,), dtype=torch.int64).to(_collective_device())
        dist.broadcast(seed, src=0)
        generator = torch.Generator()
        generator.manual_seed(int(seed.item()))
        _SHARED["generator"] = generator
        return generator
    return _SHARED["generator"]


class _EpochSampler(DataAdapter):
    """Calls ``DistributedSampler.set_epoch`` before each epoch (a new shared shuffle each time)."""

    def __init__(self, data: TorchDataLoaderAdapter, sampler) -> None:
        self.data = data
        self.sampler = sampler
        self.num_batches = data.num_batches
        self.batch_size = data.batch_size
        self.epoch = 0

    def iter_epoch(self):
        self.sampler.set_epoch(self.epoch)
        self.epoch += 1
        yield from self.data.iter_epoch()


class _RoundRobinBatches(DataAdapter):
    """Every N-th batch of a stream read whole by every rank; only whole rounds of N batches."""

    def __init__(self, data: DataAdapter, rank: int, world_size: int) -> None:
        self.data = data
        self.rank = rank
        self.world_size = world_size
        n = data.num_batches
        self.num_batches = None if n is None else max(1, n // world_size)
        self.batch_size = getattr(data, "batch_size", None)

    def iter_epoch(self):
        round_: list = []
        dropped = 0
        for batch in self.data.iter_epoch():
            round_.append(batch)
            if len(round_) == self.world_size:
                yield round_[self.rank]
                round_ = []
        dropped = len(round_)
        if dropped:
            warnings.warn(f"The last {dropped} batch(es) of the data stream do not make a whole round of "
                          f"{self.world_size} processes and were skipped this epoch.", stacklevel=2)

    def on_epoch_end(self) -> None:
        self.data.on_epoch_end()


# ------------------------------------------------------------------ callbacks
class _DistributedCallbackList(CallbackList):
    """The trainer's callback list in a distributed run (see the module docstring)."""

    def __init__(self, callbacks: CallbackList, run: DataParallelRun) -> None:
        everyone = [cb for cb in callbacks.callbacks if not isinstance(cb, CHIEF_ONLY_CALLBACKS)]
        chief = [cb for cb in callbacks.callbacks if isinstance(cb, CHIEF_ONLY_CALLBACKS)]
        # Only callbacks that run on every rank can stop training mid-epoch in step on every rank.
        self._sync_batches = any(overrides(cb, hook) for cb in everyone if type(cb) not in NEVER_STOP_MID_EPOCH
                                 for hook in ("on_train_batch_end", "on_batch_end", "on_train_batch_begin",
                                              "on_batch_begin"))
        listed = list(callbacks.callbacks) if run.rank == 0 else everyone
        wrapped = [_ChiefOnly(cb) if isinstance(cb, CHIEF_ONLY_CALLBACKS) else cb for cb in listed]
        super().__init__(wrapped, model=callbacks.model, **(callbacks.params or {}))
        self._history = callbacks._history
        self._progbar = callbacks._progbar
        self._run = run
        if self._sync_batches:
            # every rank must reach the per-batch stop check, whatever its own list holds
            self._targets["on_train_batch_end"] = self._targets["on_train_batch_end"] or [(_NO_OP, False)]
        del chief

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        super().on_train_batch_end(batch, logs)
        if self._sync_batches:
            self.model.stop_training = self._run.any_rank(self.model.stop_training)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        super().on_epoch_end(epoch, logs)
        self.model.stop_training = self._run.any_rank(self.model.stop_training)

    def on_train_begin(self, logs: dict | None = None) -> None:
        super().on_train_begin(logs)
        self._run.barrier()  # BackupAndRestore has restored on every rank

    def on_train_end(self, logs: dict | None = None) -> None:
        super().on_train_end(logs)
        self._run.barrier()  # the last files are written before any rank goes on


class _NoOp(Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


_NO_OP = _NoOp()


class _ChiefOnly(Callback):
    """Runs a rank-0-only callback (on rank 0) inside ``chief_only_section``: its saves do not wait
    at a barrier the other ranks never reach."""

    _HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin", "on_test_end",
              "on_predict_begin", "on_predict_end", *BATCH_HOOK_ALIASES,
              *(alias for alias in BATCH_HOOK_ALIASES.values() if alias))

    def __init__(self, callback: Callback) -> None:
        super().__init__()
        self.callback = callback
        self._supports_lazy_logs = getattr(callback, "_supports_lazy_logs", False)
        for hook in self._HOOKS:
            if hook in BATCH_HOOK_ALIASES or hook in BATCH_HOOK_ALIASES.values():
                if not overrides(callback, hook):
                    continue  # batch hooks cost per step: only those the callback has
            setattr(self, hook, self._in_section(getattr(callback, hook)))

    @staticmethod
    def _in_section(method):
        def call(*args, **kwargs):
            with distribution_module.distribution_lib.chief_only_section():
                return method(*args, **kwargs)
        return call

    def set_model(self, model) -> None:
        self.callback.set_model(model)
        super().set_model(model)

    def set_params(self, params) -> None:
        self.callback.set_params(params)
        super().set_params(params)
