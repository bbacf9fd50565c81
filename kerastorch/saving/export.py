"""``Model.export(filepath, format=...)``: inference artifacts, in Keras 3's spelling.

* ``format="onnx"``: ``torch.onnx.export(..., dynamo=True)`` (torch's exporter: ``torch.export`` then the
  ONNX passes), saved to ``filepath``; runs in onnxruntime without Python code of the model. Requires the
  ``onnx`` and ``onnxscript`` packages (optional; not runtime dependencies of kerastorch).
* ``format="torch"``: a ``torch.export`` ``ExportedProgram`` saved with ``torch.export.save`` (the path must
  end with ``.pt2``, as in Keras); load it with ``torch.export.load(path).module()``.

The sample inputs come from ``input_signature`` or, by default, from the model's inputs (functional and
Sequential models) or its build shape (a built subclassed model). Unknown (``None``) dimensions are exported
as dynamic dimensions (sample size 2, since torch specializes size-1 dimensions), so the artifact takes any
batch size; Keras 3 on torch fixes them to 1 instead. ``format="torch"`` passes other keyword arguments to
``torch.export.export`` (``strict``, ``dynamic_shapes``, ...; ``strict=False`` by default, as Keras), and
``format="onnx"`` takes ``opset_version``. The model is exported in inference mode. TensorFlow, OpenVINO
and LiteRT formats need other frameworks and are refused with that reason.
"""
from __future__ import annotations

import inspect
import os
from typing import Any

import torch
from torch import nn

import kerastorch.layers.layer as layer_module
from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.layers.input_spec import InputSpec

KERAS_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")
_OTHER_FRAMEWORK = {"tf_saved_model": "TensorFlow", "openvino": "OpenVINO", "litert": "TensorFlow Lite (LiteRT)"}


def export_model(model: Any, filepath: Any, format: str = "tf_saved_model", verbose: bool | None = None,
                 input_signature: Any = None, **kwargs) -> Any:
    """Export ``model`` for inference; see the module docstring. Returns the path written."""
    if format not in KERAS_FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats are: {list(KERAS_FORMATS)}.")
    if format in _OTHER_FRAMEWORK:
        raise ValueError(f'format="{format}" produces a {_OTHER_FRAMEWORK[format]} artifact, which kerastorch '
                         'cannot build (it runs on PyTorch only). Use format="onnx" (then convert the ONNX file '
                         'with your runtime\'s tools) or format="torch" (a torch.export program).')
    filepath = os.fspath(filepath)
    specs = _input_specs(model, input_signature)
    samples = [_sample(spec) for spec in specs]
    dims = [_dynamic_dims(spec, i) for i, spec in enumerate(specs)]
    module, args = (model, (samples[0],)) if len(specs) == 1 else (_FlatInputs(model, len(specs)), tuple(samples))
    dynamic_shapes = (tuple(dims),)  # forward(*args): one entry for the var-positional tuple
    if layer_module._PLAIN_MODULES.hooks_active:
        layer_module._PLAIN_MODULES.remove_hooks()  # graph-building hooks have no business in a trace
    was_training = model.training
    module.eval()
    try:
        with torch.no_grad():
            module(*args)  # builds an unbuilt model eagerly, so the trace sees no shape-specific build logic
        if format == "torch":
            _export_torch(module, args, dynamic_shapes, filepath, len(specs), kwargs)
        else:
            _export_onnx(module, args, dynamic_shapes, filepath, specs, verbose, kwargs)
    finally:
        model.train(was_training)
    if verbose is None or verbose:
        print(f"Saved artifact at '{filepath}'.")
    return filepath


class _FlatInputs(nn.Module):
    """A multi-input model as ``forward(x0, x1, ...)``: exporters want flat tensors, the model takes a list."""

    def __init__(self, model: nn.Module, n: int):
        super().__init__()
        self.model = model
        self.n = n

    def forward(self, *inputs):
        return self.model(list(inputs))


def _export_torch(module, args, dynamic_shapes, filepath: str, n_inputs: int, kwargs: dict) -> None:
    if not filepath.endswith(".pt2"):
        raise ValueError(f"The PyTorch export requires the filepath to end with '.pt2'. Got: {filepath}")
    accepted = {n for n in inspect.signature(torch.export.export).parameters if n not in ("mod", "args", "kwargs")}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise ValueError(f'Unsupported arguments for `format="torch"`: {", ".join(unknown)}. Supported arguments '
                         f"are: {', '.join(sorted(accepted))}.")
    options = {"strict": False, **kwargs}
    user_shapes = options.pop("dynamic_shapes", None)
    if user_shapes is not None:
        dynamic_shapes = _normalize_dynamic_shapes(user_shapes, n_inputs)
    program = torch.export.export(module, args, dynamic_shapes=dynamic_shapes, **options)
    torch.export.save(program, filepath)


def _export_onnx(module, args, dynamic_shapes, filepath: str, specs: list, verbose, kwargs: dict) -> None:
    opset_version = kwargs.pop("opset_version", None)
    if kwargs:
        raise ValueError(f'Unsupported arguments for `format="onnx"`: {", ".join(sorted(kwargs))}. Supported: '
                         "opset_version.")
    names = [spec.name or f"input_{i}" for i, spec in enumerate(specs)]
    program = torch.onnx.export(module, args, dynamo=True, input_names=names, dynamic_shapes=dynamic_shapes,
                                opset_version=opset_version, verbose=bool(verbose))
    if program is None:  # only torch's TorchScript exporter returns None; dynamo=True does not use it
        raise RuntimeError("torch.onnx.export(dynamo=True) returned no ONNX program.")
    program.save(filepath)


def _normalize_dynamic_shapes(shapes: Any, n_inputs: int) -> Any:
    # Keras's spellings: one dict for a one-input model, a list with one entry per input; or torch's own
    # structure for forward(*args) (a one-element tuple holding the per-input entries).
    if isinstance(shapes, dict) and n_inputs == 1 and all(isinstance(k, int) for k in shapes):
        return ((shapes,),)
    if isinstance(shapes, list) and len(shapes) == n_inputs:
        return (tuple(shapes),)
    return shapes


class _Spec:
    def __init__(self, shape: tuple, dtype: torch.dtype, name: str | None):
        self.shape, self.dtype, self.name = shape, dtype, name


def _input_specs(model: Any, input_signature: Any) -> list[_Spec]:
    if input_signature is not None:
        return [_spec(s) for s in tree.flatten(input_signature if isinstance(input_signature, (list, tuple))
                                               else [input_signature])]
    inputs = getattr(model, "inputs", None)
    if inputs:
        return [_Spec(tuple(t.shape), t.torch_dtype, t.name) for t in inputs]
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        raise ValueError(f'Model "{model.name}" has no known inputs: call it once on data, build it '
                         "(`model.build(input_shape)`), or pass `input_signature` (keras.InputSpec / "
                         "KerasTensor / tensor per input).")
    shapes = shape if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)) else [shape]
    return [_Spec(tuple(s), torch.float32, None) for s in shapes]


def _spec(s: Any) -> _Spec:
    if isinstance(s, torch.Tensor):
        return _Spec(tuple(s.shape), s.dtype, None)
    if type(s) is KerasTensor:
        return _Spec(tuple(s.shape), s.torch_dtype, s.name)
    if isinstance(s, InputSpec):
        if s.shape is None:
            raise ValueError(f"An InputSpec in `input_signature` needs a shape; received {s!r}.")
        dtype = torch.float32 if s.dtype is None else KerasTensor((), s.dtype).torch_dtype
        return _Spec(tuple(s.shape), dtype, getattr(s, "name", None))
    raise TypeError(f"`input_signature` entries must be keras.InputSpec, KerasTensor or torch.Tensor; received "
                    f"{s!r} of type {type(s).__name__}.")


def _sample(spec: _Spec) -> torch.Tensor:
    # Size 2 for unknown dims: torch.export specializes dims of size 0 and 1 to constants.
    shape = [2 if d is None else int(d) for d in spec.shape]
    if spec.dtype.is_floating_point:
        return torch.rand(shape, dtype=spec.dtype)
    return torch.zeros(shape, dtype=spec.dtype)


def _dynamic_dims(spec: _Spec, index: int) -> dict | None:
    dims = {i: torch.export.Dim.AUTO for i, d in enumerate(spec.shape) if d is None}
    return dims or None
