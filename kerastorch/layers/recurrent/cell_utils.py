"""Argument handling shared by the built-in dense recurrent cells (SimpleRNN, LSTM, GRU)."""
from __future__ import annotations

from kerastorch import activations, constraints, initializers, regularizers


def init_common(cell, units, activation, use_bias, kernel_initializer, recurrent_initializer,
                bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                seed) -> None:
    if not isinstance(units, int) or units <= 0:
        raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, "
                         f"got {units!r}.")
    cell.units = units
    cell.activation = activations.get(activation)
    cell.use_bias = bool(use_bias)
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)
    cell.dropout = min(1.0, max(0.0, float(dropout)))
    cell.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
    cell._init_seed(seed)


def common_config(cell) -> dict:
    return {
        "units": cell.units,
        "activation": activations.serialize(cell.activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout,
        "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed,
    }


# Keys of a layer config that belong to its cell (the layer's config is flat, like Keras's).
CELL_KEYS = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
             "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
             "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
             "bias_constraint", "dropout", "recurrent_dropout", "seed", "reset_after")


def layer_config(layer, rnn_config: dict) -> dict:
    """A recurrent layer's flat config: the RNN's options plus the cell's arguments (no ``cell`` key)."""
    cfg = dict(rnn_config)
    cfg.pop("cell", None)
    cell_cfg = layer.cell.get_config()
    for key in CELL_KEYS:
        if key in cell_cfg:
            cfg[key] = cell_cfg[key]
    cfg["activity_regularizer"] = regularizers.serialize(layer.activity_regularizer)
    return cfg


def delegate(*names):
    """Read-only properties forwarding ``layer.<name>`` to ``layer.cell.<name>`` (LSTM.units etc.)."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, n=name: getattr(self.cell, n)))
        return cls
    return decorate


DELEGATED = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
             "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
             "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
             "recurrent_dropout")
