"""``keras.layers.TorchModuleWrapper``: any ``torch.nn.Module`` as a Keras layer, and the automatic wrapping
of plain modules used in ``Sequential``, in the functional API or as attributes of a layer or model.

The wrapper holds the module as its child ``module`` and calls it. As in Keras 3 (torch backend):

* the weights are the module's parameters (``count_params``, ``summary``, ``get_weights``,
  ``trainable_weights``; buffers such as BatchNorm statistics are state, not weights), so
  ``fit`` trains them and ``trainable = False`` freezes them;
* the ``.weights.h5``/``.keras`` group of the layer holds the module's ``state_dict`` entries by
  key (``vars/0.weight``, ``vars/1.running_mean``), which is what Keras 3 writes, so the files
  are interchangeable; ``.h5`` (legacy) holds ``get_weights()``.

Unlike Keras 3, which pickles the module into its config (``torch.save``, loadable only with
``safe_mode=False``), kerastorch never pickles: ``get_config`` describes the module as data. A
module class registered with ``keras.saving.register_keras_serializable`` and having
``get_config()`` (and optionally ``from_config``) is rebuilt from that; a built-in ``torch.nn``
module whose constructor arguments can be read back from its attributes (``nn.Linear``,
``nn.Conv2d``, ``nn.LSTM``, ``nn.LayerNorm``, ``nn.Sequential`` of such...) is rebuilt from the
``torch.nn`` namespace only, after checking that the rebuilt module has the same ``extra_repr``
and parameter shapes. Anything else raises a clear error at save time; ``save_weights`` always
works. A Keras-3 config that holds a pickled module is refused with the reason.

``state_dict`` keys are transparent: a wrapper under ``fc`` reads ``fc.weight``, as the bare
module did (hooks map ``fc.weight`` <-> ``fc.module.weight``), so a checkpoint of the plain torch
module loads into the wrapped one and the reverse. ``named_parameters`` shows ``fc.module.weight``.
Attributes the wrapper does not have are read from the module (``model.fc.weight`` works).

Automatic wrapping. ``Layer.__setattr__`` wraps a plain module assigned to a public attribute
(not ``ModuleList``/``ModuleDict``), ``Sequential.add`` wraps one added to the stack, and a plain
module *called* on ``KerasTensor``s is wrapped by two global torch module hooks: the pre-hook
swaps the KerasTensors for small zero tensors (so the module's own ``forward`` runs once, cheaply,
whatever it does to its input), and the forward hook replaces the result by the symbolic outputs
of the module's wrapper (one wrapper per module, so calling a module twice shares its weights).
Global hooks move every ``nn.Module`` call off torch's fast path, so they are installed only
while KerasTensors are being created (``KerasTensor.__init__`` calls ``_install``) and removed
by the next eager (non-probe, non-compiled) layer call.
"""
from __future__ import annotations

import inspect
import threading
import weakref
from typing import Any

import torch
from torch import nn

import kerastorch.layers.layer as _layer_module
import kerastorch.layers.object_registration as object_registration
from kerastorch._core import tree
from kerastorch.graph import keras_tensor as _keras_tensor
from kerastorch.graph.keras_tensor import KerasTensor, any_keras_tensor
from kerastorch.graph.symbolic import symbolic_call
from kerastorch.layers.file_formats import Layout
from kerastorch.layers.layer import Layer
from kerastorch.layers.serialization import in_safe_mode
from kerastorch.metrics.torchmetrics_metric import is_torchmetrics_metric


class TorchModuleWrapper(Layer):
    """Wrap a ``torch.nn.Module`` as a Keras layer (Keras 3's ``keras.layers.TorchModuleWrapper``).

    Args:
        module: the ``torch.nn.Module``. A lazy module must be initialized first (call it once).
        name: the layer's name (default ``torch_module_wrapper[_k]``).
        output_shape: the output shape, if you want to skip shape inference (it is otherwise found by
            running the module once on small zero tensors).
    """

    def __init__(self, module: nn.Module, name: str | None = None, output_shape: Any = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, nn.Module):
            raise TypeError(f"TorchModuleWrapper expects a torch.nn.Module; received {module!r} of type "
                            f"{type(module).__name__}.")
        if isinstance(module, Layer):
            raise TypeError(f"TorchModuleWrapper wraps plain torch modules; {module.name!r} is already a Keras "
                            "layer. Use it directly.")
        if isinstance(module, nn.modules.lazy.LazyModuleMixin) and module.has_uninitialized_params():
            raise ValueError("LazyModules are not supported unless they are already initialized (call the module "
                             f"once on an example input first). Received uninitialized LazyModule: module={module}")
        self.module = module
        self._output_shape_arg = tuple(output_shape) if isinstance(output_shape, list) else output_shape
        self.built = True
        if not self._trainable:
            for p in module.parameters():
                p.requires_grad_(False)
        self._register_state_dict_hook(_strip_module_prefix)
        self.register_load_state_dict_pre_hook(_add_module_prefix)
        _WRAPPERS[module] = weakref.ref(self)

    def call(self, *args, training=None, **kwargs):
        # The module follows the Keras training flag (dropout, batch norm), as in Keras 3; it only
        # changes mode when the flag differs, so compiled graphs see a constant mode.
        if training is not None and bool(training) != self.module.training:
            self.module.train(bool(training))
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape_arg is not None:
            return self._output_shape_arg
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "module": module_config(self.module), "output_shape": self._output_shape_arg}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["module"] = module_from_config(config.get("module"))
        return cls(**config)

    # ------------------------------------------------------------- weights: the module's parameters
    def _weight_slots(self) -> list:
        slots = []
        for mod in self.module.modules():
            slots.extend((mod, name) for name, _ in mod.named_parameters(recurse=False))
        return slots

    def _keras3_tree(self):
        # No numbered variables: the file holds the module's state_dict by key (save_own_variables).
        return Layout(self.name, 0, [])

    _weights_in_own_variables = True

    def save_own_variables(self, store: dict) -> None:
        """The module's ``state_dict`` (parameters and buffers) by key, as Keras 3 writes it."""
        for key, value in self.module.state_dict().items():
            store[key] = value.detach().cpu().numpy()

    def load_own_variables(self, store: dict) -> None:
        """Load the module's ``state_dict`` from the named entries of the layer's ``vars`` group."""
        own = self.module.state_dict()
        state = {}
        for key, value in store.items():
            key = key.decode() if isinstance(key, bytes) else str(key)
            if key not in own:
                raise ValueError(f'Layer "{self.name}" ({type(self.module).__name__}) has no state_dict entry '
                                 f"{key!r}; it has {sorted(own)}.")
            state[key] = torch.as_tensor(value, dtype=own[key].dtype)
        self.module.load_state_dict(state)

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            modules = self.__dict__.get("_modules")
            module = modules.get("module") if modules else None
            if module is None or name.startswith("__"):
                raise
            return getattr(module, name)

    def __repr__(self) -> str:
        return f"<TorchModuleWrapper name={self.name}, module={type(self.module).__name__}>"


def _strip_module_prefix(module, state_dict, prefix, local_metadata):
    inner = prefix + "module."
    for key in [k for k in state_dict if k.startswith(inner)]:
        state_dict[prefix + key[len(inner):]] = state_dict.pop(key)
    return state_dict


def _add_module_prefix(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                       error_msgs):
    inner = prefix + "module."
    for key in [k for k in state_dict if k.startswith(prefix) and not k.startswith(inner)]:
        state_dict[inner + key[len(prefix):]] = state_dict.pop(key)


# ------------------------------------------------------------------------------------ wrapping
# module -> weakref to its wrapper; both weak, and nothing stored on the module (so it still pickles and deep-copies)
_WRAPPERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def wrap_module(module: nn.Module) -> TorchModuleWrapper:
    """The wrapper of a plain module (one per module: wrapping it again returns the same layer)."""
    ref = _WRAPPERS.get(module)
    wrapper = ref() if ref is not None else None
    return wrapper if wrapper is not None else TorchModuleWrapper(module)


def _should_wrap_attribute(owner: Layer, name: str, value: Any) -> bool:
    # Containers stay containers (their layers are tracked as they are); a torch loss given to `compile` stays
    # a loss, and a torchmetrics metric kept on a model (`self.acc = torchmetrics.Accuracy(...)`) stays a metric.
    return (not name.startswith("_") and isinstance(value, nn.Module) and not isinstance(value, Layer)
            and not isinstance(value, (nn.ModuleList, nn.ModuleDict, nn.ParameterList, nn.ParameterDict,
                                       nn.modules.loss._Loss))
            and not is_torchmetrics_metric(value) and not isinstance(owner, TorchModuleWrapper))


class _HookState(threading.local):
    def __init__(self) -> None:
        self.pending: list[tuple] = []  # (the probe args passed on, the original args)


_PENDING = _HookState()
_HANDLES: list = []
_GRAD_MODES: list[bool] = []


def _install() -> None:
    if not _HANDLES:
        _HANDLES.append(nn.modules.module.register_module_forward_pre_hook(_pre_hook))
        _HANDLES.append(nn.modules.module.register_module_forward_hook(_post_hook, with_kwargs=True,
                                                                        always_call=True))
        _layer_module._PLAIN_MODULES.hooks_active = True


def _remove() -> None:
    while _HANDLES:
        handle = _HANDLES.pop()
        handle.remove()
        # torch's handle leaves the id in the with-kwargs table, which makes torch.compile warn about global
        # hooks that are gone
        nn.modules.module._global_forward_hooks_with_kwargs.pop(handle.id, None)
        nn.modules.module._global_forward_hooks_always_called.pop(handle.id, None)
    _layer_module._PLAIN_MODULES.hooks_active = False


def _probe(kt: KerasTensor) -> torch.Tensor:
    # Batch 2 and 3 for other unknown dims: small, and not 1 (which broadcasting could hide).
    shape = [(2 if i == 0 else 3) if d is None else d for i, d in enumerate(kt.shape)]
    return torch.zeros(shape, dtype=kt.torch_dtype)


def _pre_hook(module: nn.Module, args: tuple):
    if isinstance(module, Layer) or not any_keras_tensor(args, {}):
        return None
    probe_args = tuple(tree.map_structure(lambda t: _probe(t) if type(t) is KerasTensor else t, list(args)))
    _PENDING.pending.append((probe_args, args))
    _GRAD_MODES.append(torch.is_grad_enabled())
    torch.set_grad_enabled(False)
    return probe_args


def _post_hook(module: nn.Module, args: tuple, *rest: Any):
    # torch calls it as (module, args, kwargs, output) after the forward, and as (module, args, result) when the
    # forward raised (always_call): then only the pending entry and the grad mode are restored.
    if isinstance(module, Layer):
        return None
    pending = _PENDING.pending
    if not pending or pending[-1][0] is not args:
        return None
    _, original = pending.pop()
    torch.set_grad_enabled(_GRAD_MODES.pop())
    if len(rest) != 2:
        return None
    return symbolic_call(wrap_module(module), original, rest[0])


def _prepare_wrap(owner: Layer, name: str, value: Any) -> Any:
    return wrap_module(value) if _should_wrap_attribute(owner, name, value) else value


# ------------------------------------------------------------------------------------ module configs
_TORCH_NN = "torch.nn"


def module_config(module: nn.Module) -> dict:
    """The module as data: a registered class's ``get_config``, or a ``torch.nn`` module's constructor arguments."""
    cls = type(module)
    if object_registration.is_registered(cls):
        inner = module.get_config()
        if not isinstance(inner, dict):
            raise TypeError(f"{cls.__name__}.get_config() should return a dict; it returned {inner!r}.")
        return {"torch_module": object_registration.get_registered_name(cls), "registered": True, "arguments": inner}
    if getattr(nn, cls.__name__, None) is cls:
        if cls is nn.Sequential:
            return {"torch_module": "torch.nn.Sequential", "registered": False,
                    "arguments": {"modules": [module_config(m) for m in module]}}
        args = _constructor_arguments(module)
        rebuilt = cls(**args)
        if rebuilt.extra_repr() != module.extra_repr() or _shapes(rebuilt) != _shapes(module):
            raise ValueError(_unserializable(module, "its constructor arguments cannot all be read back from its "
                                                     "attributes"))
        return {"torch_module": f"{_TORCH_NN}.{cls.__name__}", "registered": False, "arguments": args}
    raise ValueError(_unserializable(module, "its class is neither registered nor a built-in torch.nn module"))


def module_from_config(config: Any) -> nn.Module:
    """The module described by ``module_config`` (registered classes and ``torch.nn`` only; never unpickles)."""
    if isinstance(config, nn.Module):
        return config
    if isinstance(config, str):
        hint = ("It holds a pickled torch module (Keras 3's TorchModuleWrapper config). kerastorch never unpickles "
                "code from a file")
        if in_safe_mode():
            hint += " (and safe mode is on)"
        raise ValueError(hint + ". Rebuild the model in code and use `load_weights`, or register the module's "
                         "class with `keras.saving.register_keras_serializable()` and give it `get_config()`.")
    if isinstance(config, dict) and isinstance(config.get("torch_module"), type) \
            and object_registration.is_registered(config["torch_module"]):
        # the layer-config reader already resolved the registered name to its class
        config = {**config, "torch_module": object_registration.get_registered_name(config["torch_module"])}
    if not isinstance(config, dict) or not isinstance(config.get("torch_module"), str):
        raise ValueError(f"TorchModuleWrapper's `module` config should be a dict with 'torch_module' (a registered "
                         f"name or torch.nn.<Class>) and 'arguments'; received {config!r}.")
    name, inner = config["torch_module"], dict(config.get("arguments") or {})
    if config.get("registered"):
        cls = object_registration.get_registered_object(name)
        if cls is None:
            raise ValueError(f"The torch module class {name!r} is not registered. Import the module that defines it "
                             "(decorated with `keras.saving.register_keras_serializable()`), or pass it in "
                             "`custom_objects`.")
        from_config = getattr(cls, "from_config", None)
        return from_config(inner) if callable(from_config) else cls(**inner)
    module_path, _, class_name = name.rpartition(".")
    cls = getattr(nn, class_name, None)
    if module_path != _TORCH_NN or not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(f"Cannot rebuild torch module {name!r}: only registered classes and built-in torch.nn "
                         "modules (torch.nn.<Class>) are rebuilt from a config.")
    if cls is nn.Sequential:
        return nn.Sequential(*[module_from_config(c) for c in inner.get("modules", [])])
    return cls(**inner)


def _constructor_arguments(module: nn.Module) -> dict:
    cls = type(module)
    params = None
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__:
            continue
        sig = inspect.signature(klass.__init__)
        named = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if len(named) > 1:  # more than self: a real signature (nn.LSTM's is *args, **kwargs: use RNNBase's)
            params = named[1:]
            break
    args = {}
    for p in params or []:
        if p.name in ("device", "dtype", "mode") or p.name.startswith("_"):
            continue
        if not hasattr(module, p.name):
            if p.default is inspect.Parameter.empty:
                raise ValueError(_unserializable(module, f"its argument {p.name!r} is not kept as an attribute"))
            continue
        value = getattr(module, p.name)
        if isinstance(value, torch.Tensor) or (value is None and isinstance(p.default, bool)):
            value = value is not None  # `bias=True` is kept as the bias Parameter (or None)
        if not _is_plain(value):
            if p.default is inspect.Parameter.empty:
                raise ValueError(_unserializable(module, f"its argument {p.name!r} is not plain data"))
            continue
        args[p.name] = list(value) if isinstance(value, tuple) else value
    return args


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, (list, tuple)) and all(_is_plain(v) for v in value)


def _shapes(module: nn.Module) -> list:
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


def _unserializable(module: nn.Module, why: str) -> str:
    return (f"Cannot describe the torch module {type(module).__name__} in a config: {why}. To save the whole model "
            "(.keras, get_config), define the module as a class with `get_config()` (returning its constructor "
            "arguments) and decorate it with `@keras.saving.register_keras_serializable()`; `save_weights` works "
            "without that.")


_keras_tensor.set_keras_tensor_listener(_install)
_layer_module._PLAIN_MODULES.wrap_attribute = _prepare_wrap
_layer_module._PLAIN_MODULES.remove_hooks = _remove
