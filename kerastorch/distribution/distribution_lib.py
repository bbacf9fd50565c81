"""``keras.distribution`` on torch: data parallelism over ``torch.distributed`` processes.

Keras 3 spells data parallelism ``keras.distribution.set_distribution(DataParallel())``; on
JAX one process drives every device of a host. Torch's engine is one process per device
(``torchrun --nproc_per_node=N``), each holding a replica wrapped in
``DistributedDataParallel``. This module maps the Keras names onto that engine:

* ``initialize()`` starts the process group from Keras's ``KERAS_DISTRIBUTION_*``
  variables or torchrun's ``RANK`` / ``WORLD_SIZE`` / ``MASTER_ADDR`` / ``MASTER_PORT``
  (gloo on CPU, NCCL on CUDA; each process takes GPU ``LOCAL_RANK``);
* ``DataParallel()`` is the distribution over the processes of that group (it initializes the
  group itself under torchrun); without one it is a one-process distribution and ``fit`` is
  the single-process loop;
* ``list_devices()`` / ``get_device_count()`` list the devices of the whole run, one per process
  ("cpu:0", "cpu:1" or "gpu:0", ...), as Keras lists global devices.

The trainer reads ``current_run()``: ``None`` (the single-process loop) unless a group of two
or more processes is initialized and the distribution set (or left unset) is data parallel.
Model sharding (``ModelParallel``, ``LayoutMap``, ``TensorLayout``, ``distribute_tensor``) is
not provided: see ``kerastorch/_unsupported.py``.
"""
from __future__ import annotations

import atexit
import datetime
import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
import torch.distributed as dist

DEFAULT_BATCH_DIM_NAME = "batch"
# Seconds a collective waits for the other processes before failing (instead of hanging when a
# process died or stopped taking part). Override with KERASTORCH_DISTRIBUTED_TIMEOUT.
DEFAULT_TIMEOUT_S = 600.0

_DISTRIBUTION: Any = None  # what set_distribution() stored


def _default_device_type() -> str:
    return "gpu" if torch.cuda.is_available() else "cpu"


def _check_device_type(device_type: str | None) -> str:
    if device_type is None:
        return _default_device_type()
    kind = str(device_type).lower()
    if kind == "cuda":
        kind = "gpu"
    if kind not in ("cpu", "gpu", "tpu"):
        raise ValueError(f'`device_type` must be one of "cpu", "gpu" or "tpu" (or None). '
                         f"Received: device_type={device_type!r}")
    return kind


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices of the whole run, as ``"cpu:0"``, ``"gpu:1"``, ...

    In a distributed run each process holds one device, so the list has one entry per
    process (global devices, as Keras lists them); in a single process it is every local GPU
    (or the one CPU device).
    """
    kind = _check_device_type(device_type)
    if kind == "tpu":
        return []
    if is_initialized():
        return [f"{kind}:{i}" for i in range(dist.get_world_size())]
    if _launched_by_torchrun():  # before the group starts (DataParallel starts it): torchrun's count
        return [f"{kind}:{i}" for i in range(int(os.environ["WORLD_SIZE"]))]
    if kind == "gpu":
        return [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]


def get_device_count(device_type: str | None = None) -> int:
    """The number of devices ``list_devices(device_type)`` lists."""
    return len(list_devices(device_type))


def is_initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def _launched_by_torchrun() -> bool:
    return all(k in os.environ for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"))


def timeout() -> datetime.timedelta:
    raw = os.environ.get("KERASTORCH_DISTRIBUTED_TIMEOUT")
    seconds = DEFAULT_TIMEOUT_S if not raw else float(raw)
    return datetime.timedelta(seconds=seconds)


def initialize(job_addresses: str | None = None, num_processes: int | None = None,
               process_id: int | None = None) -> None:
    """Start the ``torch.distributed`` process group of this run (once; later calls do nothing).

    Arguments come from the call, else from ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` /
    ``KERAS_DISTRIBUTION_NUM_PROCESSES`` / ``KERAS_DISTRIBUTION_PROCESS_ID`` (Keras's names),
    else from torchrun's ``MASTER_ADDR:MASTER_PORT`` / ``WORLD_SIZE`` / ``RANK``. Only the
    first address (process 0, the coordinator) is used, as ``host:port``. The backend is NCCL
    when CUDA is available, else gloo; on CUDA each process uses GPU ``LOCAL_RANK``.
    """
    if is_initialized():
        return
    if not dist.is_available():
        raise RuntimeError("torch.distributed is not available in this torch build; data parallelism needs it.")
    env = os.environ
    if job_addresses is None:
        job_addresses = env.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in env:
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in env:
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    if num_processes is None and "WORLD_SIZE" in env:
        num_processes = int(env["WORLD_SIZE"])
    if process_id is None and "RANK" in env:
        process_id = int(env["RANK"])
    if job_addresses is None and "MASTER_ADDR" in env and "MASTER_PORT" in env:
        job_addresses = f"{env['MASTER_ADDR']}:{env['MASTER_PORT']}"
    missing = [name for name, value in (("job_addresses", job_addresses), ("num_processes", num_processes),
                                        ("process_id", process_id)) if value is None]
    if missing:
        raise ValueError(f"keras.distribution.initialize() needs {', '.join(missing)}: pass them, set "
                         "KERAS_DISTRIBUTION_JOB_ADDRESSES / _NUM_PROCESSES / _PROCESS_ID, or launch with "
                         "`torchrun --nproc_per_node=N script.py` (which sets RANK, WORLD_SIZE, MASTER_ADDR, "
                         "MASTER_PORT).")
    coordinator = str(job_addresses).split(",")[0].strip()
    if ":" not in coordinator:
        raise ValueError("The coordinator address must be `host:port` (process 0's address, the first of "
                         f"`job_addresses`). Received: job_addresses={job_addresses!r}")
    if not 0 <= int(process_id) < int(num_processes):
        raise ValueError(f"`process_id` must be in [0, num_processes). Received: process_id={process_id}, "
                         f"num_processes={num_processes}")
    backend = "gloo"
    if torch.cuda.is_available():
        backend = "nccl"
        local_rank = int(env.get("LOCAL_RANK", int(process_id) % max(torch.cuda.device_count(), 1)))
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend=backend, init_method=f"tcp://{coordinator}", world_size=int(num_processes),
                            rank=int(process_id), timeout=timeout())
    atexit.register(_destroy_started_group)


def _destroy_started_group() -> None:
    """End the group ``initialize`` started, at exit, while the interpreter is whole (as JAX's
    ``distributed.initialize`` does): a script rarely calls ``destroy_process_group``, and gloo's
    worker threads still alive at interpreter shutdown abort the process ("terminate called without
    an active exception", exit code -6) now and then."""
    if is_initialized():
        dist.destroy_process_group()


class DeviceMesh:
    """The devices of a distribution, as an array of ``shape`` with named axes (Keras's class).

    kerastorch's ``DataParallel`` uses a 1-D mesh: one device per process along ``"batch"``.
    """

    def __init__(self, shape: Sequence[int], axis_names: Sequence[str], devices: Any = None):
        shape = tuple(int(s) for s in shape)
        axis_names = [str(a) for a in axis_names]
        if len(shape) != len(axis_names):
            raise ValueError("Shape and axis_names cannot be mismatched. Received: "
                             f"shape={shape}, axis_names={axis_names}")
        if devices is None:
            devices = list_devices()
        devices = np.array(devices)
        if int(np.prod(shape)) != devices.size:
            raise ValueError(f"Shape does not match the number of devices. Received: shape={shape}; "
                             f"devices.shape={devices.shape}")
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, shape)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def axis_names(self) -> list[str]:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    def __repr__(self) -> str:
        return f"<{type(self).__name__} shape={self.shape}, axis_names={self.axis_names}>"


class Distribution:
    """Base class of the distributions (Keras's ``keras.distribution.Distribution`` contract)."""

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = bool(auto_shard_dataset)
        self._num_processes = dist.get_world_size() if is_initialized() else 1
        self._process_id = dist.get_rank() if is_initialized() else 0
        self._is_multi_process = self._num_processes > 1

    @property
    def num_processes(self) -> int:
        return self._num_processes

    @property
    def process_id(self) -> int:
        return self._process_id

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str | None:
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = bool(value)

    def scope(self):
        """A context in which this distribution is the global one (restored on exit)."""
        return _DistributionScope(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: every process holds a replica; each trains on its share of every batch.

    Under torchrun (``RANK`` / ``WORLD_SIZE`` set) creating it starts the process group, so a
    Keras 3 script's ``set_distribution(DataParallel())`` works unchanged; in one process it is
    a one-replica distribution (``fit`` runs the single-process loop).

    Args:
        device_mesh: Optional 1-D ``DeviceMesh``; its first axis is the batch axis.
        devices: Optional list of devices (one per process) to build the mesh from.
        auto_shard_dataset: Give each process its own share of the data (default). False when
            every process already passes its own part of the data.
    """

    def __init__(self, device_mesh: DeviceMesh | None = None, devices: Sequence[str] | None = None,
                 auto_shard_dataset: bool = True):
        if device_mesh is not None and devices is not None:
            raise ValueError("Pass either `device_mesh` or `devices` to DataParallel, not both.")
        if not is_initialized() and _launched_by_torchrun() and int(os.environ["WORLD_SIZE"]) > 1:
            initialize()
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError("Expect `mesh` to be an instance of `DeviceMesh`. "
                                 f"Received: mesh={device_mesh} (of type {type(device_mesh)})")
            batch_dim = device_mesh.axis_names[0]
        else:
            devices = np.array(list(devices) if devices is not None else list_devices())
            device_mesh = DeviceMesh(shape=devices.shape, axis_names=[DEFAULT_BATCH_DIM_NAME], devices=devices)
            batch_dim = DEFAULT_BATCH_DIM_NAME
        super().__init__(device_mesh, batch_dim, auto_shard_dataset)
        if self._is_multi_process and device_mesh.devices.size not in (1, self._num_processes):
            raise ValueError(f"DataParallel on torch runs one replica per process: the mesh must hold one device "
                             f"per process ({self._num_processes}). Received {device_mesh.devices.size} devices.")

    @property
    def num_model_replicas(self) -> int:
        return self._num_processes

    @property
    def data_shard_id(self) -> int:
        return self._process_id


class _DistributionScope:
    def __init__(self, value: Distribution) -> None:
        self._value = value
        self._previous = None

    def __enter__(self) -> Distribution:
        self._previous = distribution()
        set_distribution(self._value)
        return self._value

    def __exit__(self, *exc) -> None:
        set_distribution(self._previous)


def distribution() -> Distribution | None:
    """The global distribution (``set_distribution``'s value), or None."""
    return _DISTRIBUTION


def set_distribution(value: Distribution | None) -> None:
    """Make ``value`` (a ``DataParallel``, or None) the global distribution ``fit`` uses."""
    global _DISTRIBUTION
    if value is not None and not isinstance(value, Distribution):
        raise TypeError("`set_distribution` expects a keras.distribution.DataParallel (or None). "
                        f"Received: {value!r} of type {type(value).__name__}")
    _DISTRIBUTION = value


@dataclass(frozen=True)
class Run:
    """The facts the trainer needs about a running multi-process group."""

    rank: int
    world_size: int
    auto_shard: bool

    @property
    def is_chief(self) -> bool:
        return self.rank == 0


def current_run() -> Run | None:
    """The data-parallel run ``fit``/``evaluate``/``predict`` take part in, or None (one process).

    Under torchrun the group is started here when nobody started it, so ``model.fit`` alone is
    enough. A group of one process is the single-process loop.
    """
    if not is_initialized() and _launched_by_torchrun() and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        initialize()
    if not is_initialized() or dist.get_world_size() < 2:
        return None
    if torch.cuda.is_available() and "LOCAL_RANK" in os.environ:
        # A group the user started without torch.cuda.set_device would put every replica on GPU 0.
        local_rank = int(os.environ["LOCAL_RANK"])
        if local_rank < torch.cuda.device_count() and torch.cuda.current_device() != local_rank:
            torch.cuda.set_device(local_rank)
    setting = _DISTRIBUTION
    if setting is not None and not isinstance(setting, DataParallel):
        return None
    auto_shard = setting.auto_shard_dataset if setting is not None else True
    return Run(rank=dist.get_rank(), world_size=dist.get_world_size(), auto_shard=auto_shard)


def is_chief() -> bool:
    """Whether this process writes files (rank 0, or the only process)."""
    return not is_initialized() or dist.get_rank() == 0


def barrier() -> None:
    """Wait for every process of the group (nothing to wait for in one process)."""
    if is_initialized() and dist.get_world_size() > 1:
        dist.barrier()


# Depth of the code that only rank 0 runs (rank-0-only callbacks): a save there must not wait
# at a barrier the other processes never reach.
_CHIEF_ONLY_DEPTH = [0]


class chief_only_section:
    """Marks code only rank 0 runs (the trainer's rank-0-only callbacks run inside one)."""

    def __enter__(self) -> None:
        _CHIEF_ONLY_DEPTH[0] += 1

    def __exit__(self, *exc) -> None:
        _CHIEF_ONLY_DEPTH[0] -= 1


def write_on_chief(write) -> Any:
    """Run ``write()`` (a file write) on rank 0 only; every process then waits at a barrier, so
    that no process reads the file before it is complete. In one process, or inside a
    rank-0-only section, ``write()`` simply runs."""
    if not is_initialized() or dist.get_world_size() < 2 or _CHIEF_ONLY_DEPTH[0]:
        return write()
    result = None
    try:
        if dist.get_rank() == 0:
            result = write()
    finally:
        dist.barrier()
    return result
