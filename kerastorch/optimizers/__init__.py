"""``keras.optimizers``: optimizers, schedules and the ``get/serialize/deserialize`` helpers."""
from __future__ import annotations

from typing import Any

from kerastorch._core.identifiers import Identifiers
from kerastorch.optimizers import legacy, schedules
from kerastorch.optimizers.adadelta import Adadelta
from kerastorch.optimizers.adafactor import Adafactor
from kerastorch.optimizers.adagrad import Adagrad
from kerastorch.optimizers.adam import Adam
from kerastorch.optimizers.adamax import Adamax
from kerastorch.optimizers.adamw import AdamW
from kerastorch.optimizers.base_optimizer import Optimizer
from kerastorch.optimizers.ftrl import Ftrl
from kerastorch.optimizers.lamb import Lamb
from kerastorch.optimizers.lion import Lion
from kerastorch.optimizers.loss_scale_optimizer import LossScaleOptimizer
from kerastorch.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from kerastorch.optimizers.muon import Muon
from kerastorch.optimizers.nadam import Nadam
from kerastorch.optimizers.rmsprop import RMSprop
from kerastorch.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from kerastorch.optimizers.sgd import SGD
from kerastorch.optimizers.torch_optimizer import TorchOptimizer, is_torch_optimizer

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Nadam, Lion, LossScaleOptimizer,
               Ftrl, Adafactor, Lamb, Muon, ScheduleFreeAdamW, MultiOptimizer, TorchOptimizer)
# Keras looks optimizer names up case-insensitively ("adam", "Adam", "ADAM", "rmsprop").
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def _optimizer_key(name: str) -> str:
    # Keras looks optimizer names up in any letter case; tf.keras wrote "Custom>Adam" in h5 files.
    return name[len("Custom>"):].lower() if name.startswith("Custom>") else name.lower()


# The one identifier rule (kerastorch._core.identifiers); names give new instances.
_IDENTIFIERS = Identifiers("optimizer", "keras.optimizers", ALL_OBJECTS_DICT, example="adam",
                           normalize=_optimizer_key, base_class=Optimizer, accept_callables=False,
                           pass_custom_objects=True)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras 3 form: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"`serialize` expects an Optimizer instance. Received: {optimizer!r}")
    return _IDENTIFIERS.serialize(optimizer)


def deserialize(config: dict[str, Any], custom_objects: dict | None = None) -> Optimizer:
    """Build an optimizer from ``serialize`` output (or a Keras 2 ``{"class_name", "config"}`` dict)."""
    return _IDENTIFIERS.deserialize(config, custom_objects)


def get(identifier) -> Optimizer | None:
    """An optimizer from a name (``"adam"``), a config dict, or an instance (returned unchanged).

    A ``torch.optim.Optimizer`` instance, subclass or ``functools.partial`` of one comes back
    wrapped in a ``TorchOptimizer`` (see ``torch_optimizer.py``).
    """
    if is_torch_optimizer(identifier):
        return TorchOptimizer(identifier)
    return _IDENTIFIERS.get(identifier)


__all__ = ["Adadelta", "Adafactor", "Adagrad", "Ftrl", "Lamb", "Muon", "MultiOptimizer", "OptimizerMap", "ScheduleFreeAdamW", "legacy", "Adam", "Adamax", "AdamW", "Lion", "LossScaleOptimizer", "Nadam", "Optimizer", "RMSprop", "SGD",
           "TorchOptimizer", "deserialize", "get", "schedules", "serialize"]
