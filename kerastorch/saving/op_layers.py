"""Keras 3 operation layers: the table of ``keras.ops`` operations (``Add``, ``NotEqual``,
``Cast``...) that Keras 3 records as layers of a functional model, the layer classes that
stand for them when such a config is loaded, and the mapping of kerastorch's
``TorchOpLayer`` onto them when a config is written.
"""
from __future__ import annotations

_OP_TABLE = None


def _op_table():
    global _OP_TABLE
    if _OP_TABLE is not None:
        return _OP_TABLE
    import torch

    def reduce(fn):
        def run(x, axis=None, keepdims=False):
            if axis is None:
                out = fn(x)
                return out.reshape([1] * x.ndim) if keepdims else out
            return fn(x, dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis, keepdim=keepdims)
        return run

    def amax(x, dim=None, keepdim=False):
        return torch.amax(x, dim=dim, keepdim=keepdim) if dim is not None else torch.max(x)

    def amin(x, dim=None, keepdim=False):
        return torch.amin(x, dim=dim, keepdim=keepdim) if dim is not None else torch.min(x)

    def as_tensor_pair(fn):
        def run(x1, x2):
            if not isinstance(x1, torch.Tensor):
                x1 = torch.as_tensor(x1, device=x2.device)
            if not isinstance(x2, torch.Tensor):
                x2 = torch.as_tensor(x2, device=x1.device)
            return fn(x1, x2)
        return run

    def cast(x, dtype=None):
        from kerastorch.backend import config
        return x.to(config.to_torch_dtype(dtype))

    def concat(xs, axis=0):
        return torch.cat(list(xs), dim=axis)

    def softmax(x, axis=-1):
        return torch.softmax(x, dim=axis)

    def expand_dims(x, axis=0):
        return torch.unsqueeze(x, axis)

    def squeeze(x, axis=None):
        return torch.squeeze(x) if axis is None else torch.squeeze(x, axis)

    def transpose(x, axes=None):
        return x.permute(*axes) if axes is not None else x.permute(*reversed(range(x.ndim)))

    def reshape(x, newshape=None):
        return torch.reshape(x, tuple(newshape))

    def where(condition, x1=None, x2=None):
        return torch.where(condition, x1, x2)

    numpy_mod = "keras.src.ops.numpy"
    _OP_TABLE = {
        "Add": (numpy_mod, as_tensor_pair(torch.add)), "Subtract": (numpy_mod, as_tensor_pair(torch.sub)),
        "Multiply": (numpy_mod, as_tensor_pair(torch.mul)), "Divide": (numpy_mod, as_tensor_pair(torch.div)),
        "TrueDivide": (numpy_mod, as_tensor_pair(torch.true_divide)),
        "Power": (numpy_mod, as_tensor_pair(torch.pow)), "Matmul": (numpy_mod, as_tensor_pair(torch.matmul)),
        "Maximum": (numpy_mod, as_tensor_pair(torch.maximum)),
        "Minimum": (numpy_mod, as_tensor_pair(torch.minimum)),
        "Equal": (numpy_mod, as_tensor_pair(torch.eq)), "NotEqual": (numpy_mod, as_tensor_pair(torch.ne)),
        "Greater": (numpy_mod, as_tensor_pair(torch.gt)), "GreaterEqual": (numpy_mod, as_tensor_pair(torch.ge)),
        "Less": (numpy_mod, as_tensor_pair(torch.lt)), "LessEqual": (numpy_mod, as_tensor_pair(torch.le)),
        "LogicalAnd": (numpy_mod, as_tensor_pair(torch.logical_and)),
        "LogicalOr": (numpy_mod, as_tensor_pair(torch.logical_or)),
        "LogicalNot": (numpy_mod, torch.logical_not), "Negative": (numpy_mod, torch.neg),
        "Absolute": (numpy_mod, torch.abs), "Sqrt": (numpy_mod, torch.sqrt), "Square": (numpy_mod, torch.square),
        "Exp": (numpy_mod, torch.exp), "Log": (numpy_mod, torch.log), "Tanh": (numpy_mod, torch.tanh),
        "Any": (numpy_mod, reduce(torch.any)), "All": (numpy_mod, reduce(torch.all)),
        "Sum": (numpy_mod, reduce(torch.sum)), "Mean": (numpy_mod, reduce(torch.mean)),
        "Max": (numpy_mod, reduce(amax)), "Min": (numpy_mod, reduce(amin)),
        "Concatenate": (numpy_mod, concat), "ExpandDims": (numpy_mod, expand_dims),
        "Squeeze": (numpy_mod, squeeze), "Transpose": (numpy_mod, transpose), "Reshape": (numpy_mod, reshape),
        "Where": (numpy_mod, where), "Cast": ("keras.src.ops.core", cast),
        "Relu": ("keras.src.ops.nn", torch.relu), "Sigmoid": ("keras.src.ops.nn", torch.sigmoid),
        "Softmax": ("keras.src.ops.nn", softmax),
    }
    return _OP_TABLE


_OP_CLASSES: dict[str, type] = {}


def op_layer_classes() -> dict[str, type]:
    """Layer classes standing for Keras 3 operations found in functional configs (``NotEqual``...)."""
    if _OP_CLASSES:
        return _OP_CLASSES
    from kerastorch.layers.layer import Layer

    class KerasOpLayer(Layer):
        """One Keras 3 operation (e.g. ``keras.ops.not_equal``) recorded in a functional model."""
        _op_name = "op"
        _keras_module = "keras.src.ops.numpy"

        def __init__(self, name=None, **op_config):
            op_config.pop("trainable", None)
            op_config.pop("dtype", None)
            super().__init__(name=name)
            self.op_config = op_config
            self._fn = _op_table()[self._op_name][1]

        def call(self, *args, **kwargs):
            return self._fn(*args, **{**self.op_config, **kwargs})

        def get_config(self):
            return {"name": self.name, **self.op_config}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    for op_name, (module, _) in _op_table().items():
        _OP_CLASSES[op_name] = type(op_name, (KerasOpLayer,), {
            "_op_name": op_name, "_keras_module": module, "__module__": __name__,
            "__doc__": f"The Keras 3 operation `{op_name}` as a layer of a loaded functional model."})
    return _OP_CLASSES


def is_op_layer(layer) -> bool:
    """Whether ``layer`` is an operation node (not a Keras layer; absent from ``.weights.h5`` files)."""
    from kerastorch.layers.input_layer import TorchOpLayer
    return isinstance(layer, TorchOpLayer) or getattr(type(layer), "_keras_module", "").startswith("keras.src.ops")


def _torch_op_as_keras(layer):
    """The Keras 3 op class for a TorchOpLayer wrapping a common operator, or None."""
    import operator

    import torch
    mapping = {operator.add: "Add", operator.sub: "Subtract", operator.mul: "Multiply",
               operator.truediv: "TrueDivide", operator.matmul: "Matmul", operator.neg: "Negative",
               operator.pow: "Power", operator.abs: "Absolute", torch.add: "Add", torch.sub: "Subtract",
               torch.mul: "Multiply", torch.matmul: "Matmul", torch.abs: "Absolute", torch.exp: "Exp",
               torch.sqrt: "Sqrt", torch.square: "Square", torch.tanh: "Tanh", torch.relu: "Relu",
               torch.sigmoid: "Sigmoid", torch.maximum: "Maximum", torch.minimum: "Minimum",
               operator.lt: "Less", operator.le: "LessEqual", operator.gt: "Greater", operator.ge: "GreaterEqual"}
    return mapping.get(getattr(layer, "func", None))
