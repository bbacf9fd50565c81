"""The one table of Keras 3 public names that kerastorch deliberately does not provide.

Each entry says why, and what to use instead. Two readers share it: the package
modules' ``__getattr__`` (so ``keras.export.ExportArchive`` fails with a message naming
the Keras API and the alternative, instead of a bare AttributeError), and the
conformance suite (tests/conformance), which counts these names as excluded rather
than missing. Names that are merely not written yet do not belong here.
"""
from __future__ import annotations

import dis
import importlib.abc
import sys
from typing import NamedTuple


class Unsupported(NamedTuple):
    reason: str
    alternative: str
    keras2: bool = False  # a Keras 2 name (``from keras import backend as K``) absent from Keras 3


class UnsupportedKerasAPI(AttributeError, NotImplementedError):
    """Raised on access to a Keras name kerastorch does not provide.

    An AttributeError, so ``hasattr`` and ``getattr(module, name, default)`` keep working;
    also a NotImplementedError, so ``except NotImplementedError`` catches it.
    """


class UnsupportedKerasImport(ImportError, NotImplementedError):
    """Raised by ``from kerastorch.x import Name`` and ``import kerastorch.x`` for a listed Keras name.

    Python turns an AttributeError met by ``from ... import`` into a bare "cannot import name"
    (the message is lost), and an unknown submodule into a bare ModuleNotFoundError; an ImportError
    raised by the lookup itself travels as it is, so the reason and the alternative reach the user.
    """


_JAX_ONLY = "a JAX-backend feature of Keras"
_TF_ONLY = "a TensorFlow-only feature of Keras"

UNSUPPORTED: dict[str, Unsupported] = {
    # ---- top level
    # ---- keras.distribution: DataParallel is provided (torch DDP); model sharding is not
    **{f"keras.distribution.{name}": Unsupported(
        f"Keras's variable/tensor sharding API (ModelParallel, LayoutMap, TensorLayout) is {_JAX_ONLY}",
        "keras.distribution.DataParallel (DistributedDataParallel), or torch.distributed.fsdp around the model")
       for name in ("ModelParallel", "LayoutMap", "TensorLayout", "distribute_tensor")},
    "keras.export": Unsupported(
        "ExportArchive writes TensorFlow SavedModel/TFLite artifacts, " + _TF_ONLY,
        "torch.export.export(model, (example_input,)) or model.save('model.keras')"),
    "keras.legacy": Unsupported(
        "keras.legacy holds tf.keras's Keras 2 saving internals, " + _TF_ONLY,
        "keras.models.load_model (reads Keras 2 .h5 files) and keras.saving"),
    "keras.quantizers": Unsupported(
        "int8/int4/float8 weight quantization (quantize(), GPTQ, AWQ) is not implemented",
        "torch.ao.quantization on the model's torch modules"),
    "keras.Quantizer": Unsupported(
        "int8/int4/float8 weight quantization is not implemented",
        "torch.ao.quantization on the model's torch modules"),
    "keras.Operation": Unsupported(
        "kerastorch runs ops eagerly on torch tensors and has no Operation graph node to subclass",
        "subclass keras.layers.Layer (it also works on symbolic keras.Input tensors)"),
    "keras.callbacks.OrbaxCheckpoint": Unsupported(
        "OrbaxCheckpoint saves through the orbax-checkpoint package, which is built on JAX (not a kerastorch "
        "dependency)",
        "keras.callbacks.ModelCheckpoint (.keras / .weights.h5 files) or keras.callbacks.BackupAndRestore"),
    "keras.Function": Unsupported(
        "kerastorch has no stand-alone op graph outside models",
        "keras.Model(inputs, outputs), which is callable the same way"),
    "keras.StatelessScope": Unsupported(
        "kerastorch variables are torch Parameters updated in place; there is no stateless variable mapping",
        "torch.func.functional_call(model, new_state_dict, args)"),
    "keras.SymbolicScope": Unsupported(
        "kerastorch traces functional models by running layers on small tensors, not inside a symbolic scope",
        "keras.Input(...) and layer calls on it"),
    "keras.RematScope": Unsupported(
        "per-layer rematerialization modes would need the layer call path to consult a scope, which it does not",
        "keras.remat(fn) (torch.utils.checkpoint) around the expensive function"),
    # ---- keras.layers: layers that wrap another framework's model
    "keras.layers.JaxLayer": Unsupported(
        "JaxLayer wraps a JAX function and its parameters, " + _JAX_ONLY,
        "the computation as a torch.nn.Module called from a custom keras.layers.Layer (every kerastorch "
        "Layer is a torch.nn.Module), or keras.layers.TorchModuleWrapper"),
    "keras.layers.FlaxLayer": Unsupported(
        "FlaxLayer wraps a Flax module, " + _JAX_ONLY,
        "the computation as a torch.nn.Module called from a custom keras.layers.Layer (every kerastorch "
        "Layer is a torch.nn.Module), or keras.layers.TorchModuleWrapper"),
    "keras.layers.TFSMLayer": Unsupported(
        "TFSMLayer loads a TensorFlow SavedModel for inference, " + _TF_ONLY,
        "a model saved as .keras (keras.models.load_model), or a torch.nn.Module loaded with torch.load / "
        "torch.export.load and called from a custom keras.layers.Layer"),
    # ---- keras.utils
    "keras.utils.legacy": Unsupported(
        "keras.utils.legacy serializes tf.keras's Keras 2 object format, " + _TF_ONLY,
        "keras.utils.serialize_keras_object / deserialize_keras_object (which also read Keras 2 configs)"),
    # ---- Keras 2's keras.backend (K.*): TensorFlow 1 graph-mode names
    **{f"keras.backend.{name}": Unsupported(
        "it belongs to TensorFlow 1's graph mode (sessions and placeholders), which eager torch does not have",
        alternative, keras2=True) for name, alternative in (
        ("placeholder", "keras.Input(shape=...) for a symbolic input, or a plain tensor"),
        ("is_placeholder", "keras.backend.is_keras_tensor(x)"),
        ("get_session", "eager execution (no session is needed)"),
        ("set_session", "eager execution (no session is needed)"),
        ("symbolic", "eager execution (nothing to mark)"),
        ("eager", "eager execution (the default)"),
        ("manual_variable_initialization", "variables initialized at creation (the default)"),
    )},
    "keras.backend.ctc_label_dense_to_sparse": Unsupported(
        "it builds a tf.SparseTensor, which has no counterpart in the torch CTC path",
        "keras.backend.ctc_batch_cost with dense labels and label lengths", keras2=True),
    "keras.backend.local_conv1d": Unsupported(
        "locally connected layers were removed in Keras 3", "keras.ops.conv, or torch.nn.functional.unfold with "
        "per-position weights", keras2=True),
    "keras.backend.local_conv2d": Unsupported(
        "locally connected layers were removed in Keras 3", "keras.ops.conv, or torch.nn.functional.unfold with "
        "per-position weights", keras2=True),
}


def _message(qualname: str, entry: Unsupported) -> str:
    return f"`{qualname}` is not supported by kerastorch: {entry.reason}. Use {entry.alternative} instead."


def unsupported_error(module: str, name: str, importing: bool = False) -> Exception | None:
    """The error for ``module.name`` (module spelled ``keras.utils``), or None if not listed.

    ``importing``: the name is being imported (``from module import name``), so the error is an
    ``UnsupportedKerasImport``, which Python passes on with its message.
    """
    entry = UNSUPPORTED.get(f"{module}.{name}")
    if entry is None:
        return None
    cls = UnsupportedKerasImport if importing else UnsupportedKerasAPI
    return cls(_message(f"{module}.{name}", entry))


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def _called_by_from_import(frame) -> bool:
    """Whether ``frame`` is running a ``from module import name`` statement (its IMPORT_FROM)."""
    if frame is None:
        return False
    code, lasti = frame.f_code.co_code, frame.f_lasti
    return 0 <= lasti < len(code) and code[lasti] == _IMPORT_FROM


def module_getattr(kerastorch_module: str):
    """A module ``__getattr__`` that raises the table's message for listed names."""
    keras_module = "keras" + kerastorch_module[len("kerastorch"):]

    def __getattr__(name: str):
        # Only for a listed name: which statement asked decides the exception class (see UnsupportedKerasImport).
        if f"{keras_module}.{name}" in UNSUPPORTED:
            raise unsupported_error(keras_module, name, importing=_called_by_from_import(sys._getframe(1)))
        raise AttributeError(f"module {kerastorch_module!r} has no attribute {name!r}")

    return __getattr__


class _UnsupportedModuleFinder(importlib.abc.MetaPathFinder):
    """``import kerastorch.export`` (a listed Keras module) raises the table's message, not a bare
    ModuleNotFoundError. It answers only for listed ``kerastorch.*`` names and finds nothing else."""

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname.startswith("kerastorch."):
            qualname = "keras" + fullname[len("kerastorch"):]
            entry = UNSUPPORTED.get(qualname)
            if entry is not None:
                raise UnsupportedKerasImport(_message(qualname, entry), name=fullname)
        return None


if not any(isinstance(f, _UnsupportedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_UnsupportedModuleFinder())
