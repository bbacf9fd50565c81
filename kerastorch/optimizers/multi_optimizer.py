"""``MultiOptimizer`` and ``OptimizerMap``: a different optimizer per variable (Keras 3.15).

``OptimizerMap`` maps variable paths (exact, else a unique ``re.fullmatch`` pattern) to
optimizers, with a default; ``MultiOptimizer`` builds each inner optimizer on its variables
and routes the gradients to them. Its own state is the step count; its ``variables`` are its
own followed by each inner optimizer's, in Keras's order.
"""
from __future__ import annotations

import re
from collections.abc import MutableMapping, Sequence
from typing import Any

import torch

from kerastorch.optimizers.base_optimizer import Optimizer, _variable_name


def _refuse_wrappers(optimizer, where: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"{where} must be a Keras Optimizer instance. Received: {optimizer!r}")
    if type(optimizer).__name__ == "LossScaleOptimizer":
        raise ValueError(f"{where} cannot be a LossScaleOptimizer; wrap the MultiOptimizer instead.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError(f"{where} cannot be a MultiOptimizer.")


class OptimizerMap(MutableMapping):
    """Variable path (or regex pattern) -> optimizer, falling back to ``default_optimizer``."""

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map!r}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}: patterns {matching} all match.")
        return self._optimizer_map[matching[0]] if matching else self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key!r}")
        _refuse_wrappers(optimizer, "optimizer")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable) -> Optimizer:
        return self[_variable_name(variable)]

    def get_config(self) -> dict[str, Any]:
        from kerastorch.optimizers import serialize  # local import: the package __init__ imports this module
        return {"default_optimizer": serialize(self._default_optimizer),
                "optimizer_map": {key: serialize(opt) for key, opt in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects=None) -> OptimizerMap:
        from kerastorch.optimizers import deserialize  # local import: the package __init__ imports this module
        return cls(deserialize(config["default_optimizer"], custom_objects),
                   {k: deserialize(v, custom_objects) for k, v in (config.get("optimizer_map") or {}).items()})


class MultiOptimizer(Optimizer):
    """Apply each variable's gradient with the optimizer ``optimizer_map(variable)`` chooses.

    ``optimizer_map`` is an ``OptimizerMap`` or any callable ``variable -> Optimizer``. The
    learning rate belongs to the inner optimizers (reading it here raises AttributeError).
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name: str | None = None):
        self._inner_optimizers: list[Optimizer] = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            candidates.append(default)
        for opt in candidates:
            if not any(opt is known for known in self._inner_optimizers):
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)
        self._route: dict[int, int] = {}

    @property
    def optimizers(self) -> list[Optimizer]:
        return self._inner_optimizers

    def _index_of(self, optimizer: Optimizer) -> int:
        for i, known in enumerate(self._inner_optimizers):
            if known is optimizer:
                return i
        optimizer.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(optimizer)
        return len(self._inner_optimizers) - 1

    def build(self, variables: Sequence[torch.Tensor]) -> None:
        if self.built:
            return
        per_optimizer: dict[int, list] = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            _refuse_wrappers(optimizer, f"The optimizer for variable {_variable_name(variable) or variable.shape}")
            index = self._index_of(optimizer)
            self._route[id(variable)] = index
            per_optimizer.setdefault(index, []).append(variable)
        for index, owned in per_optimizer.items():
            self._inner_optimizers[index].build(owned)
        self._trainable_variables = list(variables)
        self.built = True

    def _own_variables(self) -> list[torch.Tensor]:
        # Keras's MultiOptimizer keeps its own step count and (unused, 0.0) learning rate first.
        return [self._iterations] + ([self._lr_variable] if self._lr_variable is not None else [])

    @property
    def variables(self) -> list[torch.Tensor]:
        own = self._own_variables()
        for opt in self._inner_optimizers:
            own.extend(opt.variables)
        return own

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on "
                             "the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if "_inner_optimizers" in self.__dict__ and self._learning_rate is not None:
            raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
                                 "individual sub-optimizers instead.")
        self._set_learning_rate(value)

    @property
    def loss_scale_factor(self):
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value) -> None:
        self.__dict__["_loss_scale_factor"] = value
        for opt in self.__dict__.get("_inner_optimizers", []):
            opt.loss_scale_factor = value

    def apply(self, grads: Sequence | None = None, trainable_variables: Sequence | None = None) -> None:
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if grads is None:
            grads = [v.grad for v in trainable_variables]
        grads = list(grads)
        if len(grads) == 0:
            return
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Gradients must match trainable variables one-to-one. Received {len(grads)} gradients "
                             f"and {len(trainable_variables)} variables.")
        routed: dict[int, tuple[list, list]] = {}
        for grad, variable in zip(grads, trainable_variables):
            index = self._route.get(id(variable))
            if index is None:
                raise ValueError(f"Variable {_variable_name(variable) or tuple(variable.shape)} was not seen when "
                                 "the MultiOptimizer was built.")
            pair = routed.setdefault(index, ([], []))
            pair[0].append(grad)
            pair[1].append(variable)
        for index, (sub_grads, sub_vars) in routed.items():
            self._inner_optimizers[index].apply(sub_grads, sub_vars)
        self._iterations.add_(1)

    def _compiled_update_inputs(self, variables: list[torch.Tensor]) -> tuple | None:
        return None  # the inner optimizers run eagerly

    def _skip_decay_of_1d_variables(self) -> None:
        for opt in self._inner_optimizers:
            opt._skip_decay_of_1d_variables()

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        per_optimizer: dict[int, list] = {}
        for variable in var_list:
            index = self._route.get(id(variable))
            if index is not None:
                per_optimizer.setdefault(index, []).append(variable)
        for index, owned in per_optimizer.items():
            self._inner_optimizers[index].finalize_variable_values(owned)

    def get_weights(self) -> list:
        return [v.detach().cpu().numpy() for v in self.variables]

    def set_weights(self, weights: Sequence) -> None:
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights first.")
        weights = list(weights)
        own = self._own_variables()
        with torch.no_grad():
            for variable, value in zip(own, weights):
                variable.copy_(torch.as_tensor(value))
        position = len(own)
        for opt in self._inner_optimizers:
            count = len(opt.variables)
            if count:
                opt.set_weights(weights[position:position + count])
                position += count

    def get_config(self) -> dict[str, Any]:
        optimizer_map = self._optimizer_map
        if not isinstance(optimizer_map, OptimizerMap):
            raise TypeError("Only a MultiOptimizer built on an OptimizerMap can be serialized; received a "
                            f"{type(optimizer_map).__name__}.")
        return {"optimizer_map": {"module": "keras.optimizers", "class_name": "OptimizerMap",
                                  "config": optimizer_map.get_config(), "registered_name": None},
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects=None) -> MultiOptimizer:
        config = dict(config)
        spec = config["optimizer_map"]
        if isinstance(spec, dict) and "config" in spec:
            config["optimizer_map"] = OptimizerMap.from_config(spec["config"], custom_objects)
        return cls(**config)
