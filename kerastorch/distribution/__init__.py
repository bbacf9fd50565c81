"""``keras.distribution``: data parallelism over ``torch.distributed`` processes.

The Keras names (``DataParallel``, ``DeviceMesh``, ``list_devices``, ``get_device_count``,
``initialize``, ``set_distribution``, ``distribution``) are in ``distribution_lib.py``, with
kerastorch helpers the trainer and the savers use (``current_run``, ``is_chief``, ``barrier``,
``write_on_chief``, ``chief_only_section``); the trainer's side (DDP wrapping, data shards,
global logs, rank-0 callbacks) is in ``kerastorch/trainer/distributed.py``. Keras's sharding
names (``ModelParallel``, ``LayoutMap``, ``TensorLayout``, ``distribute_tensor``) are JAX
features: see ``kerastorch/_unsupported.py``.
"""
from kerastorch.distribution.distribution_lib import (  # noqa: F401 - helpers beside the Keras names
    DataParallel,
    DeviceMesh,
    Distribution,
    barrier,
    chief_only_section,
    current_run,
    distribution,
    get_device_count,
    initialize,
    is_chief,
    list_devices,
    set_distribution,
    write_on_chief,
)

__all__ = ["DataParallel", "DeviceMesh", "distribution", "get_device_count", "initialize", "list_devices",
           "set_distribution"]

# Keras names kerastorch deliberately lacks (ModelParallel, ...) fail with the reason and the alternative.
from kerastorch._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)
