"""The optimizer base class: Keras 3 semantics, torch multi-tensor kernels.

Design notes (why it looks the way it does):

* State lives in plain torch tensors.  ``iterations`` (int64) and the float
  ``learning_rate`` are 0-d **CPU** tensors, exactly one object each for the
  optimizer's life, so ``K.set_value(opt.learning_rate, 1e-4)``, in-place
  edits and ``set_state`` are all seen by the next step, while reading them
  with ``int()``/``float()`` never synchronises with an accelerator.
  Per-variable slots (momentum, velocity, ...) live next to their parameter.
* A step groups the parameters by (device, dtype, learning-rate multiplier)
  and runs one set of ``torch._foreach_*`` kernels per group.  The grouping is
  cached per list of parameters, so the steady-state step costs a handful of
  Python operations plus the kernels.  Nothing in a step calls ``.item()`` on
  a device tensor.
* ``variables`` follows Keras's order: ``iteration``, ``learning_rate`` (only
  when it is a float, not a schedule), then the per-variable state in the
  order the Keras optimizer creates it (EMA averages and gradient
  accumulators first, then the optimizer's slots, e.g. all momentums then all
  velocities for Adam), then optimizer-wide extras (Nadam's ``u_product``).
* Every optimizer is also a ``torch.optim.Optimizer`` (nominally: torch's ``__init__`` is never
  run) so that ``torch.optim.lr_scheduler`` accepts it: ``param_groups`` is one live group whose
  ``"lr"`` (and ``"betas"`` / ``"momentum"``) read and write this optimizer's hyper-parameters,
  ``step()`` / ``zero_grad()`` work on the built variables with torch's semantics.
"""
from __future__ import annotations

import re
import warnings
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import torch

from kerastorch._core.naming import auto_name, to_snake_case
from kerastorch.optimizers.clipping import Groups, Tensors, clip_gradients
from kerastorch.optimizers.live_param_group import LiveParamGroup
from kerastorch.optimizers.schedules import learning_rate_schedule as lr_schedules

# Keys found in tf.keras (Keras 2 / TF 2.11+) optimizer configs that carry no meaning here.
_IGNORED_LEGACY_KWARGS = ("jit_compile", "is_legacy_optimizer", "schedule_decay")


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0


def _variable_name(variable) -> str:
    return str(getattr(variable, "path", None) or getattr(variable, "name", None) or "")


class _Group:
    """Parameters that share device, dtype and lr multiplier: one set of foreach kernels."""

    __slots__ = ("indices", "params", "slots", "multiplier", "decay_params", "accumulators")

    def __init__(self, multiplier: float):
        self.indices: list[int] = []
        self.params: list[torch.Tensor] = []
        self.slots: dict[str, list[torch.Tensor]] = {}
        self.multiplier = multiplier
        self.decay_params: list[torch.Tensor] = []
        self.accumulators: list[torch.Tensor] = []


class _Plan:
    """The cached grouping for one list of variables and one pattern of missing gradients."""

    __slots__ = ("groups", "variables", "constraints")

    def __init__(self, groups, variables, constraints):
        self.groups: list[_Group] = groups
        self.variables: list[torch.Tensor] = variables  # strong refs keep the cache key's ids valid
        self.constraints: list[tuple[torch.Tensor, Callable]] = constraints


class Optimizer(torch.optim.Optimizer):
    """Base class of all optimizers (``keras.optimizers.Optimizer``).

    Subclasses declare their per-variable state with ``_slot_names()`` /
    ``_slot_initial_value()`` and implement ``_update_group()`` with foreach
    kernels.  See the module docstring for the state layout.

    Args:
        learning_rate: float, a ``LearningRateSchedule``, or a no-argument callable.
        weight_decay: decoupled weight decay; each step does ``p -= p * weight_decay * lr``
            before the update (Keras 3 semantics).
        clipnorm / clipvalue / global_clipnorm: gradient clipping (at most one).
        use_ema, ema_momentum, ema_overwrite_frequency: exponential moving average of the weights.
        loss_scale_factor: gradients are divided by it before use (``scale_loss`` multiplies).
        gradient_accumulation_steps: update every N calls with the mean of the N gradients.
        name: the optimizer's name.
        lr_multipliers: optional ``{parameter_or_module: factor}``; see ``set_lr_multipliers``.
        lr, decay: Keras 2 spellings, accepted with a ``DeprecationWarning``. ``decay`` applies
            Keras 2's inverse time decay ``lr / (1 + decay * iterations)``.
    """

    def __init__(self, learning_rate=0.001, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, ema_momentum: float = 0.99,
                 ema_overwrite_frequency: int | None = None, loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if decay:
            warnings.warn("The `decay` argument is deprecated (Keras 2); it is applied as Keras 2 did: "
                          "lr / (1 + decay * iterations). Prefer a "
                          "`keras.optimizers.schedules.InverseTimeDecay` schedule.",
                          DeprecationWarning, stacklevel=3)
        lr_multipliers = kwargs.pop("lr_multipliers", None)
        for key in _IGNORED_LEGACY_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if gradient_accumulation_steps is not None and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                                 f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self.name = name or auto_name(to_snake_case(self.__class__.__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay or 0.0)

        self.built = False
        self._iterations = torch.zeros((), dtype=torch.int64)
        self._lr_variable: torch.Tensor | None = None
        self._learning_rate: Any = None
        self._set_learning_rate(learning_rate, initial=True)

        self._trainable_variables: list[torch.Tensor] = []
        self._index: dict[int, int] = {}
        self._slots: dict[str, list[torch.Tensor]] = {}
        self._ema: list[torch.Tensor] = []
        self._accumulators: list[torch.Tensor] = []
        self._extra: dict[str, torch.Tensor] = {}
        self._pending_state: dict[str, torch.Tensor] | None = None
        self._plans: dict[tuple, _Plan] = {}
        self._lr_multipliers: dict[int, float] = {}
        self._lr_multiplier_refs: list = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None
        if lr_multipliers:
            self.set_lr_multipliers(lr_multipliers)

    # ------------------------------------------------------------------ subclass hooks
    def _slot_names(self) -> list[str]:
        """Names of the per-variable state tensors, in Keras's creation order."""
        return []

    def _slot_initial_value(self, slot_name: str) -> float:
        return 0.0

    # Keras's ``add_optimizer_variables(vars, [a, b])`` creates a list of slots per variable in one
    # loop (a0, b0, a1, b1, ...); a slot added by its own call follows all of those (c0, c1, ...).
    _interleave_slots = False

    def _slot_groups(self) -> list[list[str]]:
        """Slot names in Keras ``variables`` order: each group is interleaved per variable."""
        names = list(self._slots)
        return [names] if self._interleave_slots else [[name] for name in names]

    def _create_extra_variables(self, variables: list[torch.Tensor]) -> dict[str, torch.Tensor]:
        """Optimizer-wide state (not per variable), e.g. Nadam's ``u_product``."""
        return {}

    def _prepare_step(self, local_step: int) -> Any:
        """Per-step scalars shared by all groups (computed once per step, in Python)."""
        return None

    def _update_group(self, group: _Group, grads: Tensors, lr: float, local_step: int,
                      scalars: Any) -> None:
        raise NotImplementedError(f"{self.__class__.__name__} must implement `_update_group`.")

    # ------------------------------------------------------------------ learning rate
    def _set_learning_rate(self, value, initial: bool = False) -> None:
        if isinstance(value, lr_schedules.LearningRateSchedule) or callable(value):
            self._learning_rate = value
            self._lr_variable = None
            return
        if isinstance(self._learning_rate, lr_schedules.LearningRateSchedule) and not initial:
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not "
                            "settable. If you need the learning rate to be settable, you should "
                            "instantiate the optimizer with a float `learning_rate` argument.")
        if not _is_number(value):
            raise TypeError("Argument `learning_rate` should be a float, an instance of "
                            "LearningRateSchedule, or a callable (that takes no arguments and returns "
                            f"the learning rate). Received instead: learning_rate={value!r}")
        value = float(value.detach().cpu()) if isinstance(value, torch.Tensor) else float(value)
        if self._lr_variable is None:
            self._lr_variable = torch.tensor(value, dtype=torch.float32)
        else:
            self._lr_variable.fill_(value)
        self._learning_rate = self._lr_variable

    @property
    def learning_rate(self) -> torch.Tensor:
        """The current learning rate as a 0-d float32 CPU tensor.

        With a float learning rate this is the live state tensor: reading it with
        ``float()`` is free, and writing through it (``opt.learning_rate = 1e-4``,
        ``K.set_value(opt.learning_rate, 1e-4)`` or ``.fill_``) changes the next step.
        With a schedule it is the schedule's value at the current ``iterations``.
        """
        if isinstance(self._learning_rate, torch.Tensor):
            return self._learning_rate
        return torch.tensor(self._base_learning_rate(), dtype=torch.float32)

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._set_learning_rate(value)

    # Keras 2 spelling.
    lr = learning_rate

    def _base_learning_rate(self) -> float:
        lr = self._learning_rate
        if isinstance(lr, torch.Tensor):
            return float(lr)
        if isinstance(lr, lr_schedules.LearningRateSchedule):
            value = lr(int(self._iterations))
        else:
            value = lr()
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
        return float(value)

    def _current_learning_rate(self) -> float:
        lr = self._base_learning_rate()
        if self.decay:
            lr = lr / (1.0 + self.decay * int(self._iterations))
        return lr

    # ------------------------------------------------------------------ iterations
    @property
    def iterations(self) -> torch.Tensor:
        """Steps taken, as a 0-d int64 CPU tensor (the live counter unless accumulating gradients)."""
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps, rounding_mode="floor")
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations.fill_(int(value))

    # ------------------------------------------------------------------ build & state
    def build(self, variables: Sequence[torch.Tensor]) -> None:
        """Create the optimizer state for ``variables`` (no-op if already built, like Keras)."""
        if self.built:
            return
        variables = list(variables)
        self._check_variables(variables)
        self._trainable_variables = []
        self._index = {}
        self._slots = {name: [] for name in self._slot_names()}
        self._add_variables(variables)
        self._extra = self._create_extra_variables(variables)
        self.built = True
        if self._pending_state is not None:
            state, self._pending_state = self._pending_state, None
            self.set_state(state)

    def _check_variables(self, variables: list) -> None:
        for v in variables:
            if not isinstance(v, torch.Tensor):
                raise TypeError("Optimizers update torch tensors (e.g. `nn.Parameter`s, "
                                f"`model.trainable_variables`). Received: {type(v).__name__}")
            if not v.is_floating_point() and not v.is_complex():
                raise TypeError(f"Cannot optimize a variable of dtype {v.dtype}; trainable variables "
                                "must be floating point.")

    def _add_variables(self, variables: list[torch.Tensor]) -> None:
        """Create slots for new variables; used by ``build`` and when unseen variables show up."""
        names = self._slot_names()
        for v in variables:
            if id(v) in self._index:
                continue
            self._index[id(v)] = len(self._trainable_variables)
            self._trainable_variables.append(v)
            if self.use_ema:
                self._ema.append(v.detach().clone())
            if self.gradient_accumulation_steps:
                self._accumulators.append(torch.zeros_like(v, memory_format=torch.preserve_format))
            for name in names:
                init = self._slot_initial_value(name)
                slot = torch.zeros_like(v, memory_format=torch.preserve_format)
                if init:
                    slot.fill_(init)
                self._slots[name].append(slot)
        self._plans.clear()

    def _state_items(self) -> list[tuple[str, torch.Tensor]]:
        """(key, tensor) pairs in Keras ``variables`` order."""
        items = [("iterations", self._iterations)]
        if self._lr_variable is not None and self._learning_rate is self._lr_variable:
            items.append(("learning_rate", self._lr_variable))
        n = len(self._trainable_variables)
        for i in range(n):
            if self.use_ema:
                items.append((f"average/{i}", self._ema[i]))
            if self.gradient_accumulation_steps:
                items.append((f"gradient_accumulator/{i}", self._accumulators[i]))
        for group in self._slot_groups():
            items += [(f"{name}/{i}", self._slots[name][i]) for i in range(n) for name in group]
        items += list(self._extra.items())
        return items

    @property
    def variables(self) -> list[torch.Tensor]:
        """The live state tensors, in Keras order (see the module docstring)."""
        return [t for _, t in self._state_items()]

    def get_state(self) -> dict[str, torch.Tensor]:
        """A dict of cloned state tensors (keys like ``"iterations"``, ``"momentum/0"``)."""
        return {key: t.detach().clone() for key, t in self._state_items()}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``get_state()`` output bit-exactly (copies into the existing tensors).

        On an optimizer that is not built yet, per-variable entries are kept and
        applied by ``build``; ``iterations`` / ``learning_rate`` are applied at once.
        """
        state = dict(state)
        if not self.built:
            for key in ("iterations", "learning_rate"):
                if key in state:
                    self._restore_into(key, self._tensor_for(key), state.pop(key))
            self._pending_state = state or None
            return
        items = dict(self._state_items())
        unknown = sorted(set(state) - set(items) - {"learning_rate"})  # lr may now come from a schedule
        missing = sorted(k for k in set(items) - set(state) if k not in ("iterations", "learning_rate"))
        if unknown or missing:
            raise ValueError(f"Optimizer state does not match optimizer '{self.name}'. "
                             f"Unexpected keys: {unknown[:8]}; missing keys: {missing[:8]}. Was it saved "
                             "from a different optimizer class or built on different variables?")
        for key, value in state.items():
            self._restore_into(key, items.get(key), value)

    def _tensor_for(self, key: str) -> torch.Tensor | None:
        if key == "iterations":
            return self._iterations
        return self._lr_variable if self._learning_rate is self._lr_variable else None

    def _restore_into(self, key: str, target: torch.Tensor | None, value) -> None:
        if target is None:
            return  # e.g. a saved learning_rate while this optimizer uses a schedule
        value = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        if tuple(value.shape) != tuple(target.shape):
            raise ValueError(f"Optimizer state '{key}' has shape {tuple(value.shape)}, expected "
                             f"{tuple(target.shape)}.")
        with torch.no_grad():
            target.copy_(value)

    # PyTorch-style aliases.
    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.get_state()

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        self.set_state(state_dict)

    def get_weights(self) -> list[np.ndarray]:
        return [t.detach().cpu().numpy() for t in self.variables]

    def set_weights(self, weights: Sequence) -> None:
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been "
                             "built. Please call `optimizer.build(trainable_variables)` to create the "
                             "optimizer weights before calling `set_weights()`.")
        items = self._state_items()
        if len(weights) != len(items):
            raise ValueError(f"Optimizer '{self.name}' has {len(items)} variables, received "
                             f"{len(weights)} weights.")
        for (key, target), value in zip(items, weights):
            self._restore_into(key, target, value)

    def save_own_variables(self, store) -> None:
        """Keras 3 ``.keras`` saving hook: ``store["0"], store["1"], ...`` in ``variables`` order."""
        for i, t in enumerate(self.variables):
            store[str(i)] = t.detach().cpu().numpy()

    def load_own_variables(self, store) -> None:
        items = self._state_items()
        if len(store.keys()) != len(items):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{len(items)} variables whereas the saved optimizer has {len(store.keys())} "
                          "variables.", stacklevel=2)
            return
        for i, (key, target) in enumerate(items):
            self._restore_into(key, target, store[str(i)])

    # ------------------------------------------------------------------ configuration of the update
    def set_lr_multipliers(self, multipliers: Mapping[Any, float] | Iterable[tuple[Any, float]]) -> None:
        """Per-parameter learning-rate factors (discriminative fine-tuning).

        Keys are parameters or modules (every parameter of the module).  The
        effective learning rate of a variable is ``lr * factor`` (decoupled
        weight decay uses the same effective rate).  Calling again updates the
        given entries; a factor of ``None`` removes one.
        """
        pairs = multipliers.items() if isinstance(multipliers, Mapping) else multipliers
        for key, factor in pairs:
            params = list(key.parameters()) if isinstance(key, torch.nn.Module) else [key]
            for p in params:
                if not isinstance(p, torch.Tensor):
                    raise TypeError("`set_lr_multipliers` keys must be parameters or modules. "
                                    f"Received: {type(p).__name__}")
                if factor is None:
                    self._lr_multipliers.pop(id(p), None)
                else:
                    self._lr_multipliers[id(p)] = float(factor)
                    self._lr_multiplier_refs.append(p)
        self._plans.clear()

    @property
    def lr_multipliers(self) -> dict[int, float]:
        """``{id(parameter): factor}`` as set by ``set_lr_multipliers``."""
        return dict(self._lr_multipliers)

    def exclude_from_weight_decay(self, var_list: Sequence | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Exclude variables (by identity, or by a substring of their ``name``/``path``) from weight decay."""
        self._exclude_ids = {id(v) for v in var_list} if var_list else set()
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._plans.clear()

    # kerastorch's default (``keras.config`` "weight_decay_skips_biases_and_norms"): set by
    # ``Model.compile`` through ``_skip_decay_of_1d_variables``, it exempts every variable of
    # one dimension or less (biases, normalization scales) unless the user chose exclusions.
    _decay_skips_1d = False

    def _skip_decay_of_1d_variables(self) -> None:
        """Apply kerastorch's weight-decay default: no decay on 1-D variables (unless the user excluded some)."""
        if not self._decay_skips_1d:
            self._decay_skips_1d = True
            self._plans.clear()

    def _use_weight_decay(self, variable) -> bool:
        if self._exclude_ids or self._exclude_pattern is not None:  # the user's own choice wins
            if id(variable) in self._exclude_ids:
                return False
            return self._exclude_pattern is None or not self._exclude_pattern.search(_variable_name(variable))
        return not (self._decay_skips_1d and variable.ndim <= 1)

    # ------------------------------------------------------------------ applying gradients
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, torch.Tensor]]) -> torch.Tensor:
        """Keras 2/3 API: ``apply_gradients(zip(grads, vars))``; returns ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self.iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(self, grads: Sequence | None = None, trainable_variables: Sequence | None = None) -> None:
        """Update ``trainable_variables`` with ``grads`` (Keras 3 ``Optimizer.apply``).

        ``grads=None`` uses each variable's ``.grad`` (the trainer's fast path after
        ``loss.backward()``).  Variables whose gradient is ``None`` are skipped.  Without
        ``trainable_variables`` the optimizer must be built and ``grads`` must match the
        variables it was built with, one to one.  Variables the optimizer has not seen
        before get fresh state (Keras raises instead).
        """
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already "
                                 "be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        elif not isinstance(trainable_variables, list):
            trainable_variables = list(trainable_variables)
        if grads is None:
            grads = [v.grad for v in trainable_variables]
        else:
            grads = list(grads)
            if len(grads) != len(trainable_variables):
                raise ValueError(f"Received {len(grads)} gradients for {len(trainable_variables)} "
                                 "variables; they must match one to one.")
            grads = [self._standardize_grad(g, v) for g, v in zip(grads, trainable_variables)]
        if not grads:
            return
        if not self.built:
            self.build(trainable_variables)
        plan = self._get_plan(trainable_variables, grads)
        with torch.no_grad():
            self._apply_plan(plan, grads)

    @staticmethod
    def _standardize_grad(grad, variable: torch.Tensor):
        if grad is None:
            return None
        if not isinstance(grad, torch.Tensor):
            grad = torch.as_tensor(np.asarray(grad))
        if grad.is_sparse:
            grad = grad.to_dense()
        if grad.dtype != variable.dtype or grad.device != variable.device:
            grad = grad.to(device=variable.device, dtype=variable.dtype)
        if grad.shape != variable.shape:
            raise ValueError(f"Gradient of shape {tuple(grad.shape)} does not match its variable of "
                             f"shape {tuple(variable.shape)}.")
        if grad.stride() != variable.stride():
            # torch's fused optimizer kernels (Adam, AdamW) walk both tensors' memory in the same
            # order: a transposed gradient would update the wrong elements.
            grad = torch.empty_like(variable).copy_(grad)
        return grad

    def _get_plan(self, variables: list[torch.Tensor], grads: Sequence) -> _Plan:
        missing = tuple(i for i, g in enumerate(grads) if g is None)
        key = (tuple(map(id, variables)), missing)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._make_plan(variables, missing)
            if len(self._plans) > 16:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _make_plan(self, variables: list[torch.Tensor], missing: tuple[int, ...]) -> _Plan:
        if len(missing) == len(variables):
            raise ValueError("No gradients provided for any variable.")
        if missing:
            names = [_variable_name(variables[i]) or f"#{i}" for i in missing]
            warnings.warn(f"Gradients do not exist for variables {names} when minimizing the loss. If "
                          "using `model.compile()`, did you forget to provide a `loss` argument?",
                          stacklevel=4)
        unknown = [v for v in variables if id(v) not in self._index]
        if unknown:
            self._check_variables(unknown)
            self._add_variables(unknown)
        skip = set(missing)
        groups: dict[tuple, _Group] = {}
        constraints = []
        for pos, v in enumerate(variables):
            if pos in skip:
                continue
            mult = self._lr_multipliers.get(id(v), 1.0)
            key = (v.device, v.dtype, mult)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(mult)
                group.slots = {name: [] for name in self._slots}
            idx = self._index[id(v)]
            group.indices.append(pos)
            group.params.append(v)
            for name, slot_list in self._slots.items():
                group.slots[name].append(slot_list[idx])
            if self.weight_decay and self._use_weight_decay(v):
                group.decay_params.append(v)
            if self.gradient_accumulation_steps:
                group.accumulators.append(self._accumulators[idx])
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                constraints.append((v, constraint))
        return _Plan(list(groups.values()), list(variables), constraints)

    def _apply_plan(self, plan: _Plan, grads: list) -> None:
        raw_step = int(self._iterations)
        lr = self._current_learning_rate()
        group_grads: Groups = [[grads[i] for i in g.indices] for g in plan.groups]
        if self.loss_scale_factor is not None:
            group_grads = [torch._foreach_div(gg, self.loss_scale_factor) for gg in group_grads]

        accumulate = self.gradient_accumulation_steps
        if accumulate:
            if (raw_step + 1) % accumulate != 0:
                for g, gg in zip(plan.groups, group_grads):
                    torch._foreach_add_(g.accumulators, gg)
                self._finish_step(plan)
                return
            group_grads = [torch._foreach_div(torch._foreach_add(gg, g.accumulators), accumulate)
                           for g, gg in zip(plan.groups, group_grads)]
        local_step = (raw_step // accumulate if accumulate else raw_step) + 1
        self._update_groups(plan, group_grads, lr, local_step, self._prepare_step(local_step))
        if accumulate:
            for group in plan.groups:
                torch._foreach_zero_(group.accumulators)
        self._finish_step(plan)

    def _update_groups(self, plan: _Plan, group_grads: Groups, lr: float, local_step: int,
                       scalars: Any) -> None:
        """Clip, decay and update every group: tensor ops only, given this step's Python numbers,
        so that a compiled train step can run it inside its graph."""
        group_grads = clip_gradients(group_grads, self.clipnorm, self.global_clipnorm, self.clipvalue)
        for group, gg in zip(plan.groups, group_grads):
            group_lr = lr * group.multiplier
            if group.decay_params:
                torch._foreach_mul_(group.decay_params, 1.0 - float(self.weight_decay or 0.0) * group_lr)
            self._update_group(group, gg, group_lr, local_step, scalars)

    # ------------------------------------------------------------------ compiled train step protocol
    # ``trainer/compiled_step.py`` applies an update inside its graph with three calls:
    #   update = optimizer._compiled_update_inputs(variables)   # eager: this step's Python numbers
    #   optimizer._compiled_update(update, grads)                # in the graph: tensor ops only
    #   optimizer._finish_compiled_update(update)                # eager: EMA, iterations, constraints
    # or, when the first returns None, calls ``apply(grads, variables)`` eagerly.

    def _compiled_update(self, update: tuple, grads: list[torch.Tensor]) -> None:
        """Clip, decay and update (inside a compiled graph); ``grads`` match ``_compiled_update_inputs``'s variables."""
        plan, lr, local_step, scalars = update
        self._update_groups(plan, [[grads[i] for i in g.indices] for g in plan.groups], lr, local_step, scalars)

    def _finish_compiled_update(self, update: tuple) -> None:
        """The eager end of a compiled update: EMA, the iteration count, variable constraints."""
        self._finish_step(update[0])

    def _compiled_update_inputs(self, variables: list[torch.Tensor]) -> tuple | None:
        """``(plan, lr, local_step, scalars)`` for a compiled train step to apply this step's update
        inside its graph (``_compiled_update``, then ``_finish_compiled_update``), or None where the
        update runs eagerly:
        gradient accumulation and loss scaling decide per step in Python, a schedule changes the
        learning rate every step (each new value would compile a new graph), and a fused torch
        kernel is already faster than what inductor generates."""
        if not self.built or self.gradient_accumulation_steps or self.loss_scale_factor is not None \
                or not isinstance(self._learning_rate, torch.Tensor) or self._uses_fused_kernel(variables):
            return None
        plan = self._get_plan(variables, ())
        local_step = int(self._iterations) + 1
        return plan, self._current_learning_rate(), local_step, self._prepare_step(local_step)

    def _uses_fused_kernel(self, variables: list[torch.Tensor]) -> bool:
        """Whether the eager update of ``variables`` is one fused torch kernel (see Adam)."""
        return False

    def _finish_step(self, plan: _Plan) -> None:
        # torch's lr schedulers warn "lr_scheduler.step() before optimizer.step()" unless this flag
        # is set; the trainer steps through `apply`, never through the `step` they wrap.
        self._opt_called = True
        if self.use_ema:
            self._update_ema()
        self._iterations.add_(1)
        for variable, constraint in plan.constraints:
            variable.copy_(constraint(variable))

    def _update_ema(self) -> None:
        step = int(self.iterations)  # before the increment, like Keras
        momentum = self.ema_momentum if step != 0 else 0.0
        torch._foreach_lerp_(self._ema, [v.detach() for v in self._trainable_variables], 1.0 - momentum)
        if self.ema_overwrite_frequency and (step + 1) % self.ema_overwrite_frequency == 0:
            torch._foreach_copy_(self._trainable_variables, self._ema)

    # ------------------------------------------------------------------ misc Keras API
    def minimize(self, loss, var_list: Sequence[torch.Tensor]) -> None:
        """Compute gradients of ``loss`` (a tensor or a no-argument callable) and apply them."""
        var_list = list(var_list)
        with torch.enable_grad():
            value = loss() if callable(loss) else loss
            grads = torch.autograd.grad(value, var_list, allow_unused=True)
        self.apply(list(grads), var_list)

    def scale_loss(self, loss):
        """Multiply the loss by ``loss_scale_factor`` (gradients get divided back in ``apply``)."""
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        """With ``use_ema``, overwrite the variables with their moving averages (end of ``fit``)."""
        if not self.use_ema or not self.built:
            return
        with torch.no_grad():
            for v in var_list:
                idx = self._index.get(id(v))
                if idx is not None:
                    v.copy_(self._ema[idx])

    # ------------------------------------------------------------------ torch.optim interop
    @property  # torch.optim's attribute, computed live here
    def param_groups(self) -> list[dict]:  # type: ignore[override]
        """One torch-style param group with a live ``"lr"`` (see ``live_param_group.py``), so that
        ``torch.optim.lr_scheduler.OneCycleLR(optimizer, ...)`` and friends drive this optimizer."""
        groups = self.__dict__.get("_param_groups")
        if groups is None:
            groups = self.__dict__["_param_groups"] = [LiveParamGroup(self)]
        return groups

    @property  # torch.optim's attribute, computed live here
    def defaults(self) -> dict[str, Any]:  # type: ignore[override]
        """torch's ``Optimizer.defaults``: the hyper-parameters a scheduler may cycle (``lr``, and
        ``betas`` or ``momentum`` where this optimizer has them)."""
        return {key: value for key, value in self.param_groups[0].items() if key != "params"}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """torch's ``Optimizer.step``: apply the gradients in ``.grad`` of the built variables.

        Build the optimizer first (``optimizer.build(model.trainable_weights)``) when using it in a
        hand-written torch loop; ``closure`` re-evaluates the loss as in torch and its value is returned.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.built:
            raise ValueError(f"`{type(self).__name__}.step()` applies the `.grad` of the variables the optimizer "
                             "was built on, but it is not built yet: call `optimizer.build(model.trainable_weights)` "
                             "first (or use `optimizer.apply(grads, variables)`).")
        self.apply(None)
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """torch's ``Optimizer.zero_grad`` on the built variables."""
        for v in self._trainable_variables:
            if v.grad is not None:
                if set_to_none:
                    v.grad = None
                else:
                    v.grad.detach_().zero_()

    def add_param_group(self, param_group: dict) -> None:
        raise TypeError(f"{type(self).__name__} is a kerastorch optimizer with one parameter group; it takes new "
                        "variables as they arrive in `apply`. For per-parameter learning rates use "
                        "`set_lr_multipliers({layer_or_param: factor})`.")

    # torch.optim.Optimizer pickles only (defaults, state, param_groups); this class keeps its state in
    # its own attributes, so pickling and deepcopy use the plain object protocol.
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_param_groups", None)  # the live group points back at this object
        state.pop("step", None)  # a scheduler's wrapper around `step` (a local function), as torch drops it
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def get_config(self) -> dict[str, Any]:
        lr = self._learning_rate
        learning_rate: Any
        if isinstance(lr, lr_schedules.LearningRateSchedule):
            learning_rate = lr_schedules.serialize(lr)
        elif isinstance(lr, torch.Tensor):
            learning_rate = float(lr)
        else:
            learning_rate = lr
        config = {
            "name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
            "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = lr_schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"

