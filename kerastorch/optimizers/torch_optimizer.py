"""``TorchOptimizer``: a ``torch.optim.Optimizer`` speaking the kerastorch optimizer protocol.

``compile(optimizer=...)`` accepts a torch optimizer instance (built on ``model.parameters()``
or on some of them), a ``torch.optim.Optimizer`` subclass, or a ``functools.partial`` of one;
``optimizers.get`` wraps each in this adapter, so the trainer has no torch-optimizer branch.
A class or partial is instantiated by ``build`` on the trainable weights (the first step).

What the trainer sees is an ordinary kerastorch ``Optimizer``, so everything that sits
between the gradients and the update is the base class's, applied before torch's ``step()``:

* ``loss_scale_factor`` (gradients divided back), ``gradient_accumulation_steps`` (torch steps
  every N batches with the mean gradient), ``use_ema`` / ``finalize_variable_values``;
* ``clipnorm`` / ``clipvalue`` / ``global_clipnorm`` (Keras's rules; torch optimizers have no
  clipping of their own): pass them to ``TorchOptimizer(torch_opt, clipnorm=1.0)``;
* ``LossScaleOptimizer`` wraps it like any optimizer (``mixed_float16``);
* variable constraints, ``iterations`` (steps actually taken, as Keras counts them).

The update itself is ``torch_optimizer.step()`` on the ``.grad`` of the variables: the
gradients the step computed are put in ``.grad``, and every parameter the torch optimizer holds
that is *not* among the variables being updated (a frozen layer, a weight without a gradient
this step) has its ``.grad`` set to None first, which every ``torch.optim`` optimizer reads as
"skip" (weight decay included). Under ``jit_compile=True`` the gradients come from the compiled
graph and ``step()`` runs eagerly after it, as for kerastorch's fused Adam.

Implementation: torch picks an optimizer's kernels when its ``foreach`` and ``fused`` are both
left at None, and on CPU it picks the per-tensor loop, about a quarter slower than one fused
kernel on the bench's MLP. With ``fused="auto"`` (the default) the adapter makes that choice
instead, as kerastorch's own Adam does: an optimizer whose class takes ``fused`` (Adam, AdamW,
SGD, Adagrad), with both flags None and every parameter a CPU float tensor, runs torch's fused
kernel. Results equal the per-tensor loop's up to float rounding (~1e-7 after 20 Adam steps);
``fused=False`` keeps torch's choice.

Learning rate: ``learning_rate`` reads group 0's ``"lr"``; assigning it (callbacks,
``ReduceLROnPlateau``, ``OneCycleScheduler``) sets every group, keeping each group's ratio to
group 0. ``param_groups`` / ``defaults`` are the torch optimizer's own, so
``torch.optim.lr_scheduler`` objects work on ``model.optimizer`` or on the torch optimizer.
Per-parameter factors (``set_lr_multipliers``, ``set_layer_group_lrs``) split the torch
param groups, each new group's ``"lr"`` that factor times the base rate.

State (``get_state`` / ``variables``): ``iterations``, the base class's EMA / accumulator
entries, then torch's per-parameter state as ``"<key>/<i>"`` (``exp_avg/0``...), ``i`` the
variable's index, slot by slot like Keras. Torch creates that state at the first step, so an
optimizer that has not stepped has fewer variables; ``set_state`` creates missing entries.
For a saved model to restore them, ``get_config`` records the layout (``state_layout``: key and
shape of each entry), and an optimizer rebuilt from that config lists zero placeholders of that
layout as its variables until its first step or ``set_state`` (never installed in torch's state).
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch

from kerastorch.optimizers.base_optimizer import Optimizer, _Plan, _variable_name
from kerastorch.optimizers.clipping import clip_gradients

_FUSED_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)

# Optimizers whose `step` must re-evaluate the model (a closure): fit computes one gradient per batch.
_NEEDS_CLOSURE = ("LBFGS",)


def _torch_class(identifier: Any) -> type | None:
    """The ``torch.optim.Optimizer`` subclass of a class or partial identifier (None otherwise)."""
    func = identifier.func if isinstance(identifier, functools.partial) else identifier
    if inspect.isclass(func) and issubclass(func, torch.optim.Optimizer) and not issubclass(func, Optimizer):
        return func
    return None


def is_torch_optimizer(identifier: Any) -> bool:
    """Whether ``identifier`` is a torch optimizer instance, class or partial (not a kerastorch one)."""
    if isinstance(identifier, torch.optim.Optimizer):
        return not isinstance(identifier, Optimizer)
    return _torch_class(identifier) is not None


def _default_lr(factory: Callable) -> float:
    """The learning rate a factory will build with: the partial's ``lr`` or the class default."""
    if isinstance(factory, functools.partial) and "lr" in factory.keywords:
        return float(factory.keywords["lr"])
    cls = _torch_class(factory)
    param = inspect.signature(cls.__init__).parameters.get("lr")
    if param is None or param.default is inspect.Parameter.empty or not isinstance(param.default, (int, float)):
        return 0.001
    return float(param.default)


class TorchOptimizer(Optimizer):
    """A ``torch.optim`` optimizer (instance, class or ``functools.partial``) as a kerastorch optimizer.

    ``model.compile(optimizer=torch.optim.AdamW(model.parameters(), lr=1e-3))`` wraps it for you;
    construct one yourself to add Keras's gradient options. See the module docstring.

    Args:
        optimizer: a ``torch.optim.Optimizer`` instance, a subclass of it (built on the trainable
            weights at the first step), or a ``functools.partial`` of such a class.
        learning_rate: optional; overrides the torch optimizer's ``lr`` (every group).
        clipnorm / clipvalue / global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
            loss_scale_factor, gradient_accumulation_steps, name: as for every kerastorch optimizer.
        fused: ``"auto"`` (torch's fused kernel on CPU where the user left the choice to torch, see the
            module docstring) or False.
        state_layout: ``[(key, shape), ...]`` of the torch state a saved optimizer had (from ``get_config``).
    """

    def __init__(self, optimizer: Any, learning_rate: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None = None,
                 name: str | None = None, fused: str | bool = "auto",
                 state_layout: Sequence[tuple[str, Sequence[int]]] | None = None) -> None:
        if fused not in ("auto", False):
            raise ValueError(f"`fused` must be 'auto' or False. Received: fused={fused!r}")
        if isinstance(optimizer, Optimizer):
            raise TypeError(f"TorchOptimizer wraps torch.optim optimizers; {type(optimizer).__name__} is already a "
                            "kerastorch optimizer: pass it to `compile` directly.")
        if not is_torch_optimizer(optimizer):
            raise TypeError("TorchOptimizer expects a `torch.optim.Optimizer` instance, a subclass of it, or a "
                            f"`functools.partial` of one. Received: {optimizer!r} of type {type(optimizer).__name__}")
        cls = type(optimizer) if isinstance(optimizer, torch.optim.Optimizer) else _torch_class(optimizer)
        if cls.__name__ in _NEEDS_CLOSURE:
            raise TypeError(f"torch.optim.{cls.__name__}.step needs a closure that re-evaluates the model several "
                            "times per step; `fit` computes one gradient per batch. Train with a hand-written torch "
                            "loop, or pick another optimizer.")
        instance = optimizer if isinstance(optimizer, torch.optim.Optimizer) else None
        initial_lr = float(instance.param_groups[0]["lr"]) if instance is not None else _default_lr(optimizer)
        super().__init__(learning_rate=initial_lr, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema, ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency, loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name)
        self.torch_class = cls
        self.torch_optimizer: torch.optim.Optimizer | None = instance
        self._factory = None if instance is not None else optimizer
        self._pending_lr: float | None = None
        self._initial_lr = initial_lr
        self._others: dict[int, tuple[_Plan, list[torch.Tensor], int]] = {}
        self._warned_unheld = False
        self.fused = fused
        self._auto_fused = False
        self._restore_layout = [(str(k), tuple(int(d) for d in shape)) for k, shape in state_layout or ()] or None
        if learning_rate is not None:
            self.learning_rate = learning_rate

    # ------------------------------------------------------------------ build
    def build(self, variables: Sequence[torch.Tensor]) -> None:
        """Instantiate a class/partial on ``variables`` (the trainable weights), then the base state."""
        if self.built:
            return
        variables = list(variables)
        if self.torch_optimizer is None:
            self.torch_optimizer = self._factory(variables)
            if self._pending_lr is not None:
                self._set_group_lrs(self._pending_lr)
                self._pending_lr = None
        if self.fused == "auto":
            self._choose_fused_kernel()
        super().build(variables)

    def _choose_fused_kernel(self) -> None:
        """Torch's fused kernel where torch would run its per-tensor loop (CPU, flags left at None)."""
        opt = self.torch_optimizer
        if "fused" not in inspect.signature(type(opt).__init__).parameters:
            return
        for group in opt.param_groups:
            if group.get("fused") is not None or group.get("foreach") is not None or group.get("differentiable") \
                    or group.get("capturable"):
                return
            if not all(p.device.type == "cpu" and p.dtype in _FUSED_DTYPES for p in group["params"]):
                return
        for group in opt.param_groups:
            group["fused"] = True
        opt.defaults["fused"] = True  # groups added later (an unfrozen layer) take the same kernel
        opt._step_supports_amp_scaling = True  # what torch's __init__ sets for fused=True
        self._auto_fused = True

    def _held(self) -> list[torch.Tensor]:
        return [p for group in self.torch_optimizer.param_groups for p in group["params"]]

    def _make_plan(self, variables: list[torch.Tensor], missing: tuple[int, ...]) -> _Plan:
        plan = super()._make_plan(variables, missing)
        held = {id(p) for p in self._held()}
        unheld = [p for group in plan.groups for p in group.params if id(p) not in held]
        if unheld:
            if self._factory is not None:
                # Built by us on the trainable weights: weights that became trainable later
                # (an unfrozen layer) join as a new group, as kerastorch optimizers add their state.
                self.torch_optimizer.add_param_group({"params": unheld})
            elif not self._warned_unheld:
                self._warned_unheld = True
                names = [_variable_name(p) or tuple(p.shape) for p in unheld][:8]
                warnings.warn(f"{len(unheld)} trainable weight(s) are not in the torch optimizer's param groups and "
                              f"are not updated (e.g. {names}). Build the torch optimizer on "
                              "`model.parameters()` to train them.", stacklevel=5)
        return plan

    def _others_of(self, plan: _Plan) -> list[torch.Tensor]:
        """Parameters the torch optimizer holds that this plan does not update (their .grad must be None)."""
        key = id(plan)
        cached = self._others.get(key)
        n_groups = len(self.torch_optimizer.param_groups)
        if cached is None or cached[0] is not plan or cached[2] != n_groups:
            updated = {id(p) for group in plan.groups for p in group.params}
            others = [p for p in self._held() if id(p) not in updated]
            if len(self._others) > 32:
                self._others.clear()
            cached = self._others[key] = (plan, others, n_groups)
        return cached[1]

    # ------------------------------------------------------------------ the update
    def _update_groups(self, plan: _Plan, group_grads: list[list[torch.Tensor]], lr: float, local_step: int,
                       scalars: Any) -> None:
        """Clip (Keras's rules), put the gradients in ``.grad``, hide every other parameter, torch ``step()``."""
        group_grads = clip_gradients(group_grads, self.clipnorm, self.global_clipnorm, self.clipvalue)
        for group, grads in zip(plan.groups, group_grads):
            for p, g in zip(group.params, grads):
                if p.grad is not g:
                    p.grad = g
        for p in self._others_of(plan):
            if p.grad is not None:
                p.grad = None
        self._restore_layout = None  # torch creates its own state now
        if self.__dict__.get("_lr_view") is not None:
            self._sync_lr_view()
        self.torch_optimizer.step()

    def _compiled_update_inputs(self, variables: list[torch.Tensor]) -> None:
        """Never inside a compiled graph: torch's ``step()`` runs eagerly after the compiled gradients."""
        return None

    def set_lr_multipliers(self, multipliers: Mapping[Any, float] | Sequence[tuple[Any, float]]) -> None:
        """Per-parameter learning-rate factors, as torch param groups (one group per distinct factor).

        Each group's ``"lr"`` becomes ``factor * learning_rate``; the torch optimizer's per-parameter
        state is kept. Build the optimizer first (``optimizer.build(model.trainable_weights)``) when it
        was given as a class. Other per-group hyper-parameters are taken from the first group.
        """
        if self.torch_optimizer is None:
            raise ValueError("set_lr_multipliers regroups the torch optimizer's parameters, which does not exist "
                             "yet (compile got a class or partial): call `model.optimizer.build("
                             "model.trainable_weights)` first.")
        super().set_lr_multipliers(multipliers)
        base_lr = self._group_lr()
        template = {k: v for k, v in self.torch_optimizer.param_groups[0].items() if k != "params"}
        by_factor: dict[float, list[torch.Tensor]] = {}
        for p in self._held():
            by_factor.setdefault(self._lr_multipliers.get(id(p), 1.0), []).append(p)
        groups = []
        for factor, params in by_factor.items():
            groups.append({**template, "params": params, "lr": base_lr * factor, "kerastorch_lr_factor": factor})
        self.torch_optimizer.param_groups[:] = groups
        self._others.clear()

    # ------------------------------------------------------------------ learning rate
    def _group_lr(self) -> float:
        if self.torch_optimizer is None:
            return self._pending_lr if self._pending_lr is not None else self._initial_lr
        group = self.torch_optimizer.param_groups[0]
        return float(group["lr"]) / group.get("kerastorch_lr_factor", 1.0)

    def _set_group_lrs(self, value: float) -> None:
        groups = self.torch_optimizer.param_groups
        first = float(groups[0]["lr"]) / groups[0].get("kerastorch_lr_factor", 1.0)
        for group in groups:
            factor = group.get("kerastorch_lr_factor")
            if factor is None:
                # A group of the user's own: it keeps its ratio to group 0 (discriminative rates survive).
                factor = float(group["lr"]) / first if first else 1.0
            new = value * factor
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(new)
            else:
                group["lr"] = new

    def _current_learning_rate(self) -> float:
        return self._group_lr()

    @property
    def learning_rate(self) -> torch.Tensor:
        """Group 0's ``"lr"`` as a 0-d float32 CPU tensor, one object for the optimizer's life.

        Writing into it (``K.set_value(opt.learning_rate, 1e-4)``, ``.fill_``) reaches the torch
        param groups at the next read or step, as with kerastorch's own optimizers; reading it
        shows what a torch scheduler set.
        """
        self._sync_lr_view()
        return self._lr_view

    def _sync_lr_view(self) -> None:
        """Push a value written into the ``learning_rate`` tensor to the groups, else refresh it from them."""
        view = self.__dict__.get("_lr_view")
        if view is None:
            view = self._lr_view = torch.zeros((), dtype=torch.float32)
            self._lr_seen = None
        written = float(view)
        if self._lr_seen is not None and written != self._lr_seen:
            self.learning_rate = written
        view.fill_(self._group_lr())
        self._lr_seen = float(view)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, torch.Tensor) and value.ndim == 0:
            value = float(value.detach().cpu())
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError("A torch optimizer's learning rate is a float (drive it over time with a "
                            "`torch.optim.lr_scheduler` through `keras.callbacks.TorchLRScheduler`). "
                            f"Received: learning_rate={value!r}")
        if self.torch_optimizer is None:
            self._pending_lr = float(value)
        else:
            self._set_group_lrs(float(value))

    lr = learning_rate

    # torch's names for the hyper-parameters that OneCycleScheduler cycles (`momentum_attribute`).
    def _group_value(self, key: str):
        groups = self.torch_optimizer.param_groups if self.torch_optimizer is not None else []
        if not groups or key not in groups[0]:
            raise AttributeError(key)
        return groups[0][key]

    @property
    def beta_1(self) -> float:
        return float(self._group_value("betas")[0])

    @beta_1.setter
    def beta_1(self, value: float) -> None:
        self._group_value("betas")
        for group in self.torch_optimizer.param_groups:
            group["betas"] = (float(value), *tuple(group["betas"])[1:])

    @property
    def momentum(self) -> float:
        return float(self._group_value("momentum"))

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._group_value("momentum")
        for group in self.torch_optimizer.param_groups:
            group["momentum"] = float(value)

    # ------------------------------------------------------------------ torch.optim interop
    def _built_torch_optimizer(self) -> torch.optim.Optimizer:
        if self.torch_optimizer is None:
            raise ValueError(f"The torch optimizer ({self.torch_class.__name__}) is created on the trainable weights "
                             "at the first training step. Call `model.optimizer.build(model.trainable_weights)` "
                             "first, or give `keras.callbacks.TorchLRScheduler` a factory (`lambda opt: ...`).")
        return self.torch_optimizer

    @property
    def param_groups(self) -> list[dict]:
        """The torch optimizer's own param groups."""
        return self._built_torch_optimizer().param_groups

    @property
    def defaults(self) -> dict[str, Any]:
        return self._built_torch_optimizer().defaults

    @property
    def state(self) -> Any:
        """The torch optimizer's per-parameter state."""
        return self._built_torch_optimizer().state

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._built_torch_optimizer().zero_grad(set_to_none=set_to_none)

    def add_param_group(self, param_group: dict) -> None:
        self._built_torch_optimizer().add_param_group(param_group)
        self._others.clear()

    # ------------------------------------------------------------------ state
    def _state_items(self) -> list[tuple[str, torch.Tensor]]:
        items = [("iterations", self._iterations)]
        n = len(self._trainable_variables)
        for i in range(n):
            if self.use_ema:
                items.append((f"average/{i}", self._ema[i]))
            if self.gradient_accumulation_steps:
                items.append((f"gradient_accumulator/{i}", self._accumulators[i]))
        if self._restore_layout and self.built and not any(self.torch_optimizer.state.get(v)
                                                           for v in self._trainable_variables):
            return items + self._placeholders()
        if self.torch_optimizer is not None:
            per_var = [self.torch_optimizer.state.get(v, {}) for v in self._trainable_variables]
            keys: list[str] = []
            for st in per_var:
                keys += [k for k, t in st.items() if isinstance(t, torch.Tensor) and k not in keys]
            for key in keys:  # slot by slot (all exp_avg, then all exp_avg_sq), as Keras orders slots
                items += [(f"{key}/{i}", st[key]) for i, st in enumerate(per_var)
                          if isinstance(st.get(key), torch.Tensor)]
        return items

    def _placeholders(self) -> list[tuple[str, torch.Tensor]]:
        """Zeros in the saved layout (``state_layout``), so that a saved state can be restored into them."""
        out = []
        n = len(self._trainable_variables)
        for key, shape in self._restore_layout:
            tail = key.rpartition("/")[2]
            if not tail.isdigit() or int(tail) >= n:
                continue  # another model: the count no longer matches, and the restore says so
            dtype = self._trainable_variables[int(tail)].dtype if shape else torch.float32  # `step` is float32
            out.append((key, torch.zeros(shape, dtype=dtype)))
        return out

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``get_state()`` output; torch state entries missing so far are created."""
        state = dict(state)
        if not self.built:
            if "iterations" in state:
                self._restore_into("iterations", self._iterations, state.pop("iterations"))
            self._pending_state = state or None
            return
        own = {key: t for key, t in Optimizer._state_items(self) if key != "learning_rate"}
        n = len(self._trainable_variables)
        for key, value in state.items():
            if key in own:
                self._restore_into(key, own[key], value)
                continue
            head, _, tail = key.rpartition("/")
            if key == "learning_rate" or not (head and tail.isdigit() and int(tail) < n):
                if key == "learning_rate":
                    continue
                raise ValueError(f"Optimizer state does not match optimizer '{self.name}': unexpected key {key!r}. "
                                 "Was it saved from a different optimizer or on different variables?")
            variable = self._trainable_variables[int(tail)]
            value = value.detach() if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
            slots = self.torch_optimizer.state[variable]
            target = slots.get(head)
            with torch.no_grad():
                if isinstance(target, torch.Tensor) and target.shape == value.shape:
                    target.copy_(value)
                else:
                    device = variable.device if value.ndim else value.device  # torch keeps `step` on the CPU
                    slots[head] = value.to(device).clone()
        self._restore_layout = None

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """The torch class (by name) and its JSON-able hyper-parameters, plus the Keras gradient options.

        Only group 0's hyper-parameters are kept: a rebuilt optimizer has one param group.
        """
        source = self.torch_optimizer.defaults if self.torch_optimizer is not None else (
            self._factory.keywords if isinstance(self._factory, functools.partial) else {})
        if self.torch_optimizer is not None:
            source = {**source, **{k: v for k, v in self.torch_optimizer.param_groups[0].items() if k in source}}
        accepted = inspect.signature(self.torch_class.__init__).parameters
        hyper = {}
        for key, value in source.items():
            if key in ("lr", "params") or key not in accepted:
                continue
            if isinstance(value, tuple):
                value = list(value)
            if key == "fused" and self._auto_fused:
                value = None  # chosen by the adapter, not by the user: chosen again when rebuilt
            if value is None or isinstance(value, (bool, int, float, str)) or (
                    isinstance(value, list) and all(isinstance(v, (int, float)) for v in value)):
                hyper[key] = value
        own = {key for key, _ in Optimizer._state_items(self)}
        layout = [[key, list(t.shape)] for key, t in self._state_items() if key not in own] or None
        return {"name": self.name, "torch_class": f"{self.torch_class.__module__}.{self.torch_class.__qualname__}",
                "torch_config": hyper, "learning_rate": self._group_lr(), "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum, "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps, "fused": self.fused,
                "state_layout": layout}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "TorchOptimizer":
        """A class-built ``TorchOptimizer``: ``torch.optim`` classes by name, others from ``custom_objects``."""
        config = dict(config)
        path = config.pop("torch_class")
        hyper = {k: tuple(v) if isinstance(v, list) else v for k, v in config.pop("torch_config", {}).items()}
        name = path.rpartition(".")[2]
        torch_cls = (custom_objects or {}).get(name)
        if torch_cls is None and path.startswith("torch.optim."):
            torch_cls = getattr(torch.optim, name, None)
        if _torch_class(torch_cls) is None:
            raise TypeError(f"Cannot rebuild the torch optimizer class {path!r}: only `torch.optim` classes are found "
                            f"by name. Pass it in `custom_objects={{{name!r}: {name}}}`.")
        return cls(functools.partial(torch_cls, **hyper), **config)
