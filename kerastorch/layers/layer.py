"""The Keras ``Layer``, as a ``torch.nn.Module``.

A layer stores its configuration in ``__init__``, creates its weights in
``build(input_shape)`` the first time it is called, and computes in
``call(inputs, training=None, mask=None)``. Weights are registered on the
module under their Keras names, so ``state_dict()`` reads ``dense_1.kernel``
(a functional/Sequential model keys its layers structurally, see
``models/model.py: structural_key``; a plain torch module assigned to a layer
attribute becomes a ``TorchModuleWrapper``).
Trainable weights are ``nn.Parameter``; non-trainable state (moving statistics)
are buffers. A layer may keep a weight in the layout its torch kernel wants
(e.g. Conv2D keeps ``(out, in, kh, kw)``); ``get_weights``/``set_weights``
always speak Keras order and Keras shapes through
``_weight_to_keras``/``_weight_from_keras``.

One call path. ``layer(x)`` records a graph node when an argument is a KerasTensor; otherwise it
is ``nn.Module.__call__`` (so hooks, ``Module.compile()`` and ``torch.compile`` see every call;
when torch's own test says ``nn.Module.__call__`` would only call ``forward``, ``__call__``
calls it itself, saving two frames) and torch calls ``forward``, which builds the layer on first
use and then runs ``call`` under a small ``_CallSpec`` decided once per layer: whether ``call``
takes ``training``/``mask``, how output masks are made, the activity regularizer, the layer's
``input_spec`` (checked on every call, as Keras does; ``Dense`` checks its own where it costs
nothing). The training flag is resolved where a model (or any layer whose ``call`` takes
``training``) is called and pushed onto a thread-local stack that nested layers read; it is
pushed again only where it changes. Where nothing sets it, it is the module's train/eval mode
(``call_context.training_when_unset``; Keras's None is a switch). An exception raised inside ``call`` keeps
its type and gains a note naming the layer and the input shapes (Keras's
``inject_argument_info_in_traceback``).
"""
from __future__ import annotations

import inspect
from typing import Any, Iterable, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn.modules import module as _torch_module

from kerastorch import constraints, initializers, regularizers
from kerastorch._core import config, naming, tree
from kerastorch._core.tensors import numeric_leaves_to_tensors
from kerastorch.graph.keras_tensor import any_keras_tensor
from kerastorch.graph.layer_graph import LayerGraphMixin
from kerastorch.graph.symbolic import infer_output_shape, is_probing, symbolic_call
from kerastorch.layers.call_context import CALL_STATE, build_device_scope, training_when_unset, with_call_context
from kerastorch.layers.file_formats import Layout, keras3_tree, upgrade_sublayers
from kerastorch.layers.input_spec import assert_input_compatibility
from kerastorch.layers.variable import NonTrainableVariable, Variable
from kerastorch.metrics.base import Metric

# Keys that Keras 2 / Keras 3 configs carry for every layer; accepted and mostly ignored here.
_BASE_KWARGS = {"name", "trainable", "dtype", "input_shape", "batch_input_shape", "input_dim",
                "batch_size", "autocast", "activity_regularizer", "dynamic", "weights"}





class _StructureGeneration:
    """A process-wide counter bumped whenever the set of trainable weights, of loss sources or of
    metrics of any layer may have changed (``trainable`` set, a weight added, a layer's first
    ``add_loss``, a metric assigned to an attribute).

    A layer does not know the models it belongs to; a trainer that caches such facts per model
    (``trainer/step_state.py``) compares this one integer per step instead of re-reading them.
    """

    value = 0

    @classmethod
    def bump(cls) -> None:
        cls.value += 1


class _CallSpec(NamedTuple):
    """What ``forward`` does around ``call`` for one layer; decided once, after the layer is built."""
    has_training: bool        # ``call`` takes ``training``: resolve it and pass it
    has_mask: bool            # ``call`` takes ``mask``: pass the inputs' mask
    mask_mode: int            # 0: outputs carry no mask; 1: pass an input mask through compute_mask; 2: always
    activity_regularizer: Any
    autocast: bool            # False: ``call`` runs outside torch.autocast, in the variables' dtype
    input_spec: Any           # the layer's ``input_spec`` (Keras checks the first input against it), or None


# ``nn.Module.__call__`` runs hooks and ``Module.compile()``'s compiled call, then ``forward``.
_module_call = nn.Module.__call__
# torch's process-wide module hooks (``register_module_forward_hook`` ...): dicts torch fills in place.
_GLOBAL_BACKWARD_PRE_HOOKS = _torch_module._global_backward_pre_hooks
_GLOBAL_BACKWARD_HOOKS = _torch_module._global_backward_hooks
_GLOBAL_FORWARD_HOOKS = _torch_module._global_forward_hooks
_GLOBAL_FORWARD_PRE_HOOKS = _torch_module._global_forward_pre_hooks
_tracing_state = torch._C._get_tracing_state


class _PlainModuleSupport:
    """What ``layers/core/torch_module_wrapper.py`` (above this file) installs at import: how a plain torch
    module assigned to a layer attribute is wrapped, and how the global module hooks that let a plain module
    be called on KerasTensors are removed (they slow every module call, so the first eager layer call ends
    them; the next KerasTensor made installs them again)."""

    hooks_active = False
    wrap_attribute: Any = None     # (owner, name, value) -> value, the module wrapped where it should be
    remove_hooks: Any = None


_PLAIN_MODULES = _PlainModuleSupport()
# Attributes a call spec is made from: setting one makes the next call decide again.
_CALL_SPEC_INPUTS = frozenset({"activity_regularizer", "supports_masking", "autocast", "built", "input_spec"})


class Layer(nn.Module, LayerGraphMixin):
    """Base class of every Keras layer (and of ``Model``)."""

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        if cls.get_config is Layer.get_config:
            # A layer class without its own get_config gets Keras's automatic config: the constructor's
            # arguments (defaults filled in), kept only when they are plain JSON values.
            instance.__dict__["_auto_config"] = _auto_config(cls, args, kwargs)
        return instance

    def __init__(self, *, activity_regularizer: Any = None, trainable: bool = True, dtype: Any = None,
                 autocast: bool = True, name: str | None = None, **kwargs):
        nn.Module.__init__(self)
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{ {k: kwargs[k] for k in sorted(unknown)} }")
        # Keras layers start in inference mode: `model(x)` is a prediction unless a trainer
        # (or the user, torch-style) switches the module to training mode.
        self.training = False
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype_spec = dtype
        self.built = False
        self.supports_masking = False
        self.input_spec: Any = None  # an InputSpec (or a list of them) the first input is checked against
        self._keras_weights: list[tuple[str, bool]] = []  # (attribute, declared trainable) in creation order
        self._losses: list[torch.Tensor] = []
        self._inbound_nodes: list = []
        self._build_input_shape = None
        self._call_spec: _CallSpec | None = None  # made on the first call after build (forward)
        self._call_signature = inspect.signature(self.call)
        params = self._call_signature.parameters
        self._call_has_training = "training" in params
        self._call_has_mask = "mask" in params
        # autocast=False keeps this layer's math in its variables' dtype under a mixed-precision policy
        # (Keras: its variables are not cast to the compute dtype; here: torch.autocast is off in `call`).
        self.autocast = bool(autocast)
        self.activity_regularizer = activity_regularizer
        if self.activity_regularizer is not None:
            self.activity_regularizer = regularizers.get(self.activity_regularizer)
        batch_input_shape = kwargs.get("batch_input_shape")
        if batch_input_shape is None and kwargs.get("input_shape") is not None:
            batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        if batch_input_shape is None and kwargs.get("input_dim") is not None:
            batch_input_shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._batch_input_shape = tuple(batch_input_shape) if batch_input_shape is not None else None
        self._initial_weights = kwargs.get("weights")

    # ----------------------------------------------------------------- build
    def build(self, input_shape) -> None:
        """Create the layer's weights. Layers with weights override this."""
        self.built = True

    def add_weight(self, name: str | None = None, shape: Iterable[int] = (), initializer: Any = None,
                   regularizer: Any = None, constraint: Any = None, trainable: bool = True,
                   dtype: Any = None) -> torch.Tensor:
        """Create a weight, register it under ``name`` and return it.

        The initializer sees the Keras shape (so fans are Keras's); the value is then
        converted to this layer's internal layout by ``_weight_from_keras``.
        """
        name = name or f"variable_{len(self._keras_weights)}"
        attr = name
        i = 1
        while attr in self._parameters or attr in self._buffers or attr in self.__dict__:
            attr = f"{name}_{i}"
            i += 1
        shape = tuple(int(s) for s in shape)
        torch_dtype = config.to_torch_dtype(dtype if dtype is not None else self._variable_dtype())
        if initializer is None:
            initializer = "glorot_uniform" if torch_dtype.is_floating_point else "zeros"
        init = initializers.get(initializer)
        with torch.no_grad():
            value = torch.as_tensor(init(shape, dtype=torch_dtype), dtype=torch_dtype)
        value = self._weight_from_keras(attr, value).to(self._build_device())
        if trainable:
            weight = Variable(value.contiguous(), requires_grad=self._trainable and torch_dtype.is_floating_point)
            weight.keras_name = name
            self.register_parameter(attr, weight)
        else:
            self.register_buffer(attr, NonTrainableVariable(value.contiguous(), name))
        self._keras_weights.append((attr, bool(trainable)))
        if regularizer is not None:
            self._weight_regularizers = getattr(self, "_weight_regularizers", [])
            self._weight_regularizers.append((attr, regularizers.get(regularizer)))
        if constraint is not None:
            self._weight_constraints = getattr(self, "_weight_constraints", [])
            self._weight_constraints.append((attr, constraints.get(constraint)))
        _StructureGeneration.bump()
        return getattr(self, attr)

    def _variable_dtype(self):
        spec = self._dtype_spec
        if isinstance(spec, dict):
            spec = spec.get("config", {}).get("name")
        if spec is None or str(spec).startswith("mixed_"):
            return config.floatx()
        return spec

    @staticmethod
    def _build_device() -> torch.device:
        stack = CALL_STATE.build_device
        return stack[-1] if stack else torch.device("cpu")

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shapes = tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else None, inputs)
        first = next((t for t in tree.flatten(inputs) if isinstance(t, torch.Tensor)), None)
        with build_device_scope(first.device if first is not None else torch.device("cpu")):
            self.build(shapes)
        self.built = True
        self._build_input_shape = shapes
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # ------------------------------------------------------------------ call
    def call(self, inputs, *args, **kwargs):
        """The layer's computation. Subclasses override this (not ``forward``)."""
        return inputs

    def __call__(self, *args, **kwargs):
        # The one test for a symbolic call; the common eager call (one tensor, maybe `training=`)
        # answers it from the argument types alone.
        if len(args) != 1 or type(args[0]) is not torch.Tensor \
                or (kwargs and (len(kwargs) != 1 or "training" not in kwargs)):
            if any_keras_tensor(args, kwargs):
                return symbolic_call(self, args, kwargs)
        if _PLAIN_MODULES.hooks_active and not is_probing() and not torch.compiler.is_compiling():
            _PLAIN_MODULES.remove_hooks()
        # torch's own test in nn.Module._wrapped_call_impl/_call_impl: when there is no Module.compile(),
        # no hook and no JIT trace, nn.Module.__call__ only calls forward. Calling it here saves its two
        # frames (~1 us, a third of a small layer's call); otherwise nn.Module.__call__ runs as it is.
        state = self.__dict__
        if state.get("_compiled_call_impl") is None \
                and not (state["_forward_hooks"] or state["_forward_pre_hooks"] or state["_backward_hooks"]
                         or state["_backward_pre_hooks"] or _GLOBAL_FORWARD_HOOKS or _GLOBAL_FORWARD_PRE_HOOKS
                         or _GLOBAL_BACKWARD_HOOKS or _GLOBAL_BACKWARD_PRE_HOOKS) \
                and not _tracing_state():
            return self.forward(*args, **kwargs)
        return _module_call(self, *args, **kwargs)

    def forward(self, *args, **kwargs):
        """Build on the first call, then run ``call`` as the layer's call spec says (torch calls this)."""
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f'Layer "{self.name}" was called without inputs.')
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        if type(inputs) is not torch.Tensor and not isinstance(inputs, torch.Tensor):
            inputs = self._convert_inputs(inputs)
            args = (inputs,) + args[1:]
        spec = self._call_spec  # present once built (building, or setting a field it reads, clears it)
        if spec is None:
            if not self.built:
                self._maybe_build(inputs)
            spec = self._make_call_spec()
        has_training, has_mask, mask_mode, regularizer, autocast, input_spec = spec
        if input_spec is not None:
            assert_input_compatibility(input_spec, inputs, self.name)

        stack = None
        if has_training:
            training = kwargs.get("training")
            context = CALL_STATE.training
            if training is None:
                training = context[-1] if context else training_when_unset(self)
                kwargs["training"] = training
            # Nested layers read the flag from the stack; push only where it changes.
            if not context or context[-1] != training:
                stack = context
                stack.append(bool(training))
        elif kwargs and "training" in kwargs:
            del kwargs["training"]
        input_mask = None
        if mask_mode or has_mask:
            input_mask = kwargs.get("mask") if has_mask else None
            if input_mask is None:
                input_mask = getattr(inputs, "_keras_mask", None) if type(inputs) is torch.Tensor \
                    else _collect_mask(inputs)
                if has_mask and input_mask is not None:
                    kwargs["mask"] = input_mask

        try:
            if autocast:
                outputs = self.call(*args, **kwargs)
            else:
                outputs = _call_without_autocast(self, args, kwargs)
        except Exception as e:
            replacement = with_call_context(e, self, inputs)
            if replacement is e:
                raise
            raise replacement from e
        finally:
            if stack is not None:
                stack.pop()

        if regularizer is not None and torch.is_grad_enabled():
            for out in tree.flatten(outputs):
                self.add_loss(regularizer(out) / out.shape[0])
        if mask_mode == 2 or (mask_mode == 1 and input_mask is not None):
            out_mask = self.compute_mask(inputs, input_mask)
            if out_mask is not None:
                _attach_masks(outputs, out_mask)
        return outputs

    def _make_call_spec(self) -> _CallSpec:
        """Decide once what ``forward`` does around ``call`` (reset when a field it reads is set)."""
        computes_mask = type(self).compute_mask is not Layer.compute_mask
        spec = _CallSpec(has_training=self._call_has_training, has_mask=self._call_has_mask,
                         mask_mode=2 if computes_mask else 1 if self.supports_masking else 0,
                         activity_regularizer=self.activity_regularizer, autocast=self.autocast,
                         input_spec=self.input_spec)
        if self.built:
            self._call_spec = spec
        return spec

    def _convert_inputs(self, inputs):
        """numpy/python inputs as tensors, on the device of the layer's weights (the model may be on a GPU)."""
        inputs = _to_tensors(inputs)
        weight = next(iter(self.parameters()), None)
        if weight is not None and weight.device.type != "cpu":
            inputs = tree.map_structure(
                lambda t: t.to(weight.device) if isinstance(t, torch.Tensor) else t, inputs)
        return inputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: by default the input mask passes through when masking is supported."""
        return mask if self.supports_masking else None

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape``, found by running the layer on zeros."""
        return infer_output_shape(self, input_shape)

    # ---------------------------------------------------------------- losses
    def add_loss(self, loss) -> None:
        """Add a loss (e.g. an activity regularization term) that the trainer adds to the total."""
        # A new list rather than append: under jit_compile the trace must not mutate a list that
        # existed before it (the trainer empties `_losses` once it has read them).
        self._losses = self._losses + [loss if isinstance(loss, torch.Tensor) else torch.as_tensor(loss)]
        if not self.__dict__.get("_adds_losses"):
            # First loss of this layer: trainers re-list the layers they collect losses from.
            self.__dict__["_adds_losses"] = True
            _StructureGeneration.bump()

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses added during the last call plus weight regularization losses, of this layer and sublayers."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
            for attr, reg in getattr(layer, "_weight_regularizers", ()):
                out.append(reg(layer._weight_in_keras_layout(attr)))
        return out

    @property
    def metrics(self) -> list:
        """The metrics assigned to public attributes of this layer and of its sublayers (Keras
        tracks them: a model lists them in ``model.metrics`` and resets them every epoch)."""
        out: list = []
        for layer in self._flatten_layers():
            out.extend(m for m in layer._attribute_metrics() if all(m is not o for o in out))
        return out

    def _attribute_metrics(self) -> list:
        """This layer's own attribute metrics (a metric, or a list/tuple of them), in assignment order."""
        out = []
        for name, value in self.__dict__.items():
            if name.startswith("_"):
                continue
            if isinstance(value, Metric):
                out.append(value)
            elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Metric) for v in value):
                out.extend(value)
        return out

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses = []

    def _flatten_layers(self, include_self: bool = True) -> list["Layer"]:
        return [m for m in self.modules() if isinstance(m, Layer) and (include_self or m is not self)]

    def _apply_constraints(self) -> None:
        for layer in self._flatten_layers():
            for attr, constraint in getattr(layer, "_weight_constraints", ()):
                w = getattr(layer, attr)
                with torch.no_grad():
                    keras_value = layer._weight_to_keras(attr, w)
                    w.copy_(layer._weight_from_keras(attr, constraint(keras_value)))

    # --------------------------------------------------------------- weights
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value
        for p in self.parameters():
            if p.is_floating_point():
                p.requires_grad_(value and getattr(p, "_var_trainable", True))
        _StructureGeneration.bump()

    def _own_weight_entries(self) -> list[tuple[str, torch.Tensor, bool]]:
        entries = [(a, getattr(self, a), t) for a, t in self._keras_weights]
        return [e for e in entries if e[2]] + [e for e in entries if not e[2]]

    def _child_modules(self) -> list[nn.Module]:
        """Direct sublayers in assignment order, with lists/dicts of layers expanded in place."""
        out = []
        for child in self.children():
            if isinstance(child, nn.ModuleDict):
                out.extend(child.values())
            elif isinstance(child, nn.ModuleList):
                out.extend(child)
            else:
                out.append(child)
        return out

    def _weight_slots(self) -> list[tuple["Layer | nn.Module", str]]:
        """(owner, attribute) for every weight, in Keras ``weights`` order."""
        slots = [(self, a) for a, _, _ in self._own_weight_entries()]
        for child in self._child_modules():
            if isinstance(child, Layer):
                slots.extend(child._weight_slots())
            else:  # a plain torch module: its parameters, then its persistent float buffers
                slots.extend(_plain_module_slots(child))
        return slots

    @property
    def weights(self) -> list[torch.Tensor]:
        return [getattr(owner, attr) if attr else owner for owner, attr in self._weight_slots()]

    @property
    def variables(self) -> list[torch.Tensor]:
        return self.weights

    @property
    def trainable_weights(self) -> list[torch.Tensor]:
        return [w for w in self.weights if isinstance(w, nn.Parameter) and w.requires_grad]

    @property
    def trainable_variables(self) -> list[torch.Tensor]:
        return self.trainable_weights

    @property
    def non_trainable_weights(self) -> list[torch.Tensor]:
        return [w for w in self.weights if not (isinstance(w, nn.Parameter) and w.requires_grad)]

    @property
    def non_trainable_variables(self) -> list[torch.Tensor]:
        return self.non_trainable_weights

    def _weight_to_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        """Convert a stored weight to Keras's layout (override where the layouts differ)."""
        return value

    def _weight_from_keras(self, attr: str, value: torch.Tensor) -> torch.Tensor:
        """Convert a Keras-layout array to this layer's stored layout."""
        return value

    def _keras_shape(self, attr: str) -> tuple:
        return tuple(self._weight_to_keras(attr, getattr(self, attr).detach()).shape)

    def _keras3_tree(self) -> Layout:
        """Where this layer's weights sit in a Keras 3 weights file (override when the modules differ from Keras's)."""
        return keras3_tree(self)

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """Arrays of a legacy (Keras 1/2) file, in Keras order, upgraded to today's layout (default: sublayers')."""
        return upgrade_sublayers(self, arrays, keras_version, backend)

    def _weight_in_keras_layout(self, attr: str) -> torch.Tensor:
        return self._weight_to_keras(attr, getattr(self, attr))

    def get_weights(self) -> list[np.ndarray]:
        """The layer's weights as numpy arrays, in Keras order and Keras shapes."""
        out = []
        for owner, attr in self._weight_slots():
            with torch.no_grad():
                value = owner._weight_to_keras(attr, getattr(owner, attr)) if isinstance(owner, Layer) \
                    else getattr(owner, attr)
            out.append(value.detach().cpu().numpy().copy())
        return out

    def set_weights(self, weights: list) -> None:
        """Set the weights from arrays in Keras order and Keras shapes (as ``get_weights`` returns)."""
        slots = self._weight_slots()
        weights = list(weights)
        if len(weights) != len(slots):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of length '
                f"{len(weights)}, but the layer was expecting {len(slots)} weights "
                f"({[self._slot_name(o, a) for o, a in slots]}).")
        for (owner, attr), value in zip(slots, weights):
            _assign_weight(owner, attr, value, self._slot_name(owner, attr))

    @staticmethod
    def _slot_name(owner, attr) -> str:
        return f"{getattr(owner, 'name', type(owner).__name__)}/{attr}"

    def count_params(self) -> int:
        if not self.built and not self._weight_slots():
            raise ValueError(f'You tried to call `count_params` on layer "{self.name}", but the layer '
                             "isn't built. You can build it manually via: `layer.build(input_shape)`.")
        return int(sum(getattr(o, a).numel() for o, a in self._weight_slots()))

    # input / output / input_shape / output_shape read the graph nodes: graph.layer_graph.LayerGraphMixin.
    @property
    def dtype(self) -> str:
        return str(self._variable_dtype())

    @property
    def compute_dtype(self) -> str:
        return self.dtype

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The constructor arguments; ``from_config(get_config())`` rebuilds an equal layer.

        A subclass that does not override this gets Keras's automatic config: the arguments its
        constructor was called with (defaults filled in) when they are plain JSON values.
        """
        cfg = {"name": self.name}
        auto = self.__dict__.get("_auto_config")
        if auto is not None and type(self).get_config is Layer.get_config:
            cfg.update(auto)
            params = _init_parameters(type(self))
            if "name" not in params and not any(p.kind is p.VAR_KEYWORD and p.name == "kwargs"
                                                for p in params.values()):
                del cfg["name"]  # the constructor could not take it back (Keras's rule)
        cfg.update({"trainable": self.trainable, "dtype": self._dtype_policy_config()})
        if self.activity_regularizer is not None:
            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self._batch_input_shape is not None:
            cfg["batch_input_shape"] = list(self._batch_input_shape)
        return cfg

    def _dtype_policy_config(self) -> dict:
        """The ``dtype`` entry of a Keras 3 config: the serialized DTypePolicy (its name keeps "mixed_*")."""
        spec = self._dtype_spec
        if isinstance(spec, dict):
            name = spec.get("config", {}).get("name")
        else:
            name = getattr(spec, "name", None) or (None if spec is None else config.dtype_name(
                config.to_torch_dtype(spec)) if not str(spec).startswith("mixed_") else str(spec))
        return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name or self.dtype},
                "registered_name": None}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self) -> dict | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, build_config: dict | None) -> None:
        if build_config and not self.built:
            shape = build_config.get("input_shape")
            self._maybe_build(_zeros_for_shape(shape))

    def _rename_weight(self, value: torch.Tensor, name: str) -> bool:
        """``self.w = self.add_weight(name="kernel")``: register the weight under the attribute name
        (once, so ``state_dict`` shows each weight once, under the name the user reads it by)."""
        for i, (attr, trainable) in enumerate(self._keras_weights):
            if attr == name:
                return False
            store = self._parameters if trainable else self._buffers
            if store.get(attr) is value:
                if name in self._parameters or name in self._buffers or name in self._modules:
                    return False
                self.__dict__.pop(name, None)  # e.g. a `self.scale = None` placeholder set before build
                store[name] = store.pop(attr)
                self._keras_weights[i] = (name, trainable)
                for extra in ("_weight_regularizers", "_weight_constraints"):
                    entries = getattr(self, extra, None)
                    if entries:
                        setattr(self, extra, [(name if a == attr else a, obj) for a, obj in entries])
                return True
        return False

    def _apply(self, fn, *args, **kwargs):
        # `.to(device)` replaces buffers with plain tensors; keep Keras's variable API on them.
        result = super()._apply(fn, *args, **kwargs)
        for attr, trainable in self._keras_weights:
            buf = self._buffers.get(attr) if not trainable else None
            if buf is not None and not isinstance(buf, NonTrainableVariable):
                self._buffers[attr] = NonTrainableVariable(buf, attr)
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, nn.Module) and _PLAIN_MODULES.wrap_attribute is not None:
            value = _PLAIN_MODULES.wrap_attribute(self, name, value)  # a plain module -> TorchModuleWrapper
        if name in _CALL_SPEC_INPUTS:
            self.__dict__["_call_spec"] = None  # forward decides again on the next call
        if not name.startswith("_") and (isinstance(value, Metric) or (
                isinstance(value, (list, tuple)) and value and all(isinstance(v, Metric) for v in value))):
            _StructureGeneration.bump()  # a model re-lists its metrics
        # Keras tracks lists of layers assigned as attributes; torch only tracks ModuleList.
        if isinstance(value, torch.Tensor) and "_keras_weights" in self.__dict__ and not name.startswith("_"):
            if self._rename_weight(value, name):
                return
        # Private attributes (bookkeeping lists of layers) are left alone.
        if not name.startswith("_") and isinstance(value, list) and value \
                and all(isinstance(v, nn.Module) for v in value) and "_modules" in self.__dict__:
            value = nn.ModuleList(value)
        super().__setattr__(name, value)


# ------------------------------------------------------------------ helpers
_INIT_PARAMETERS: dict[type, Any] = {}
# The argument types an automatic config keeps (Keras's list): anything else could not round-trip through JSON.
_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def _init_parameters(cls: type):
    params = _INIT_PARAMETERS.get(cls)
    if params is None:
        params = inspect.signature(cls.__init__).parameters
        _INIT_PARAMETERS[cls] = params
    return params


def _auto_config(cls: type, args: tuple, kwargs: dict) -> dict | None:
    """The constructor arguments of ``cls(*args, **kwargs)`` as a config, or None when they are not all
    plain values (or do not bind to the constructor)."""
    params = _init_parameters(cls)
    try:
        bound = inspect.Signature(list(params.values())).bind(None, *args, **kwargs)
    except TypeError:
        return None  # __init__ will raise the real error
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    names = list(params)
    arguments.pop(names[0], None)  # self
    for p in params.values():
        if p.kind is p.VAR_KEYWORD:
            arguments.update(arguments.pop(p.name, {}))
        elif p.kind is p.VAR_POSITIONAL and arguments.pop(p.name, ()):
            return None  # positional varargs have no names to store
    arguments.pop("name", None)
    if not all(isinstance(v, _AUTO_CONFIG_TYPES) for v in tree.flatten(arguments)):
        return None
    return arguments


def _call_without_autocast(layer: Layer, args: tuple, kwargs: dict) -> Any:
    """``layer.call`` for ``autocast=False``: outside torch.autocast, lower-precision float inputs
    raised to the layer's variable dtype (as Keras's ops promote float16 x float32 to float32)."""
    first = next((t for t in tree.flatten((list(args), kwargs)) if isinstance(t, torch.Tensor)), None)
    device_type = first.device.type if first is not None else "cpu"
    if not torch.is_autocast_enabled(device_type):
        return layer.call(*args, **kwargs)
    dtype = config.to_torch_dtype(layer._variable_dtype())

    def promote(t: Any) -> Any:
        if isinstance(t, torch.Tensor) and t.is_floating_point() and t.dtype != dtype \
                and torch.finfo(t.dtype).bits < torch.finfo(dtype).bits:
            return t.to(dtype)
        return t

    args, kwargs = tree.map_structure(promote, (list(args), kwargs))
    with torch.autocast(device_type, enabled=False):
        return layer.call(*args, **kwargs)


def _plain_module_slots(module: nn.Module) -> list[tuple[nn.Module, str]]:
    slots = []
    for _, mod in module.named_modules():
        for p_name, _ in mod.named_parameters(recurse=False):
            slots.append((mod, p_name))
    for _, mod in module.named_modules():
        for b_name, b in mod.named_buffers(recurse=False):
            if b.is_floating_point() and b_name not in mod._non_persistent_buffers_set:
                slots.append((mod, b_name))
    return slots


def _assign_weight(owner, attr: str, value, label: str) -> None:
    current = getattr(owner, attr)
    value = torch.as_tensor(np.asarray(value), dtype=current.dtype)
    if isinstance(owner, Layer):
        expected = owner._keras_shape(attr)
        if tuple(value.shape) != expected:
            raise ValueError(f"Weight shape mismatch for {label}: expected shape {expected} "
                             f"(Keras layout), received an array of shape {tuple(value.shape)}.")
        value = owner._weight_from_keras(attr, value)
    elif tuple(value.shape) != tuple(current.shape):
        raise ValueError(f"Weight shape mismatch for {label}: expected {tuple(current.shape)}, "
                         f"received {tuple(value.shape)}.")
    with torch.no_grad():
        current.copy_(value.to(current.device))


# numpy/python leaves of a layer's inputs as tensors (the one converter, float64 -> floatx).
_to_tensors = numeric_leaves_to_tensors


def _collect_mask(inputs):
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return None


def _attach_masks(outputs, mask) -> None:
    if isinstance(outputs, torch.Tensor):
        outputs._keras_mask = mask[0] if isinstance(mask, (list, tuple)) else mask
    elif isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for out, m in zip(outputs, masks):
            if isinstance(out, torch.Tensor) and m is not None:
                out._keras_mask = m


def _zeros_for_shape(shape, device: torch.device | None = None):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, type(None))) \
            and not all(isinstance(s, (int, type(None))) for s in shape):
        return [_zeros_for_shape(s, device) for s in shape]
    return torch.zeros([1 if s is None else int(s) for s in shape], device=device)
