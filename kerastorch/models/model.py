"""``keras.Model``: a layer with training (``compile``/``fit``/...), summaries and layer lookup.

``keras.Model(inputs, outputs)`` returns a functional model; subclassing
``keras.Model`` and writing ``call`` gives a subclassed model, whose layers are
the ones assigned as attributes (torch registers them as child modules).

``state_dict`` keys: a subclassed model's are its attribute names (torch's rule); a functional or
Sequential model registers each layer under ``structural_key`` (the name without its session
counter, renumbered per model), so two instances of one architecture share their keys.
``Model.export`` writes ONNX or ``torch.export`` artifacts through ``saving/export.py``.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import torch
from torch import nn

import kerastorch.models.functional_config as functional_config
from kerastorch import distribution
from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.graph.symbolic import probing
from kerastorch.layers.call_context import training_context
from kerastorch.layers.layer import Layer, _zeros_for_shape
from kerastorch.models.summary import print_summary
from kerastorch.trainer.policies import TrainingPolicies
from kerastorch.trainer.trainer import Trainer


class Model(TrainingPolicies, Trainer, Layer):
    """A trainable stack of layers. See ``Sequential`` and the functional API."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            functional = _functional_class()
            return functional.__new__(functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        Functional = _functional_class()
        if not isinstance(self, Functional) and _functional_init_arguments(args, kwargs):
            # `class CustomModel(keras.Model)` whose __init__ passes (inputs, outputs) on, e.g. built as
            # `CustomModel(inputs, outputs)` (Keras 3 allows it): a functional model that keeps the
            # subclass's methods (train_step, metrics, ...).
            self.__class__ = _functional_subclass(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if type(self) is Model and (args or "inputs" in kwargs):
            raise TypeError("`keras.Model(inputs, outputs)` needs both inputs and outputs.")
        layer_kwargs = {k: v for k, v in kwargs.items() if k not in ("inputs", "outputs")}
        Layer.__init__(self, **layer_kwargs)
        Trainer.__init__(self)

    def _track_layer(self, layer: Layer) -> None:
        """Register ``layer`` as a child module under its structural key (see ``structural_key``)."""
        if any(m is layer for m in self._modules.values()):
            return
        self.add_module(structural_key(self, layer.name), layer)

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sublayers (and plain torch modules), in assignment order."""
        return [m for m in self._child_modules()]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in layers:
                if getattr(layer, "name", None) == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[getattr(l, 'name', type(l).__name__) for l in layers]}.")
        raise ValueError("Provide either a layer name or layer index to `get_layer`.")

    def summary(self, line_length: int | None = None, positions: Sequence[float] | None = None,
                print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Sequence[str] | None = None) -> None:
        """Print the Keras table of layers, output shapes and parameter counts.

        Args:
            line_length: Total width of the table (default: 88, or 108 with a "Connected to"
                column, at most the terminal width minus 4).
            positions: Right edges of the columns, as fractions of ``line_length``.
            print_fn: Called once with the whole text (default: print to stdout).
            expand_nested: Also list the layers of nested models.
            show_trainable: Add a "Trainable" column.
            layer_range: ``(first, last)`` layer names (regular expressions) to list, inclusive.
        """
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    def reset_states(self) -> None:
        """Reset the state of every stateful layer (stateful RNNs) in the model."""
        for layer in self._flatten_layers(include_self=False):
            reset = getattr(layer, "reset_states", None)
            if callable(reset) and not isinstance(layer, Model):
                reset()

    # -------------------------------------------------------------- saving
    def save(self, filepath, overwrite: bool = True, zipped: bool | None = None, **kwargs) -> None:
        """Save the whole model: ``.keras`` (Keras 3 zip; a folder with ``zipped=False``) or ``.h5`` (legacy
        Keras 2 HDF5), atomically. ``include_optimizer=False`` leaves the optimizer state out."""
        from kerastorch import saving  # local import: saving sits above models (it rebuilds them)
        # Distributed: rank 0 writes, every process waits until the file is complete.
        distribution.write_on_chief(lambda: saving.save_model(self, filepath, overwrite=overwrite, zipped=zipped,
                                                              **kwargs))

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size: float | None = None) -> None:
        """Save the weights: ``.weights.h5`` (Keras 3), ``.h5`` (legacy Keras 2) or ``.pt`` (state_dict);
        with ``max_shard_size`` (GB), Keras 3 sharded files under a ``.weights.json`` index."""
        from kerastorch import saving  # local import: saving sits above models (it rebuilds them)
        distribution.write_on_chief(lambda: saving.save_weights(self, filepath, overwrite=overwrite,
                                                                max_shard_size=max_shard_size))

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights from any Keras 2/3 HDF5 layout, a sharded ``.weights.json`` or a ``.pt`` state_dict
        (format read from the file). ``by_name=True`` (keyword) matches layers by name."""
        from kerastorch import saving  # local import: saving sits above models (it rebuilds them)
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format: str = "tf_saved_model", verbose: bool | None = None,
               input_signature=None, **kwargs):
        """Export the model for inference (Keras 3's ``Model.export``): ``format="onnx"`` (torch's dynamo ONNX
        exporter; needs the ``onnx`` and ``onnxscript`` packages) or ``format="torch"`` (a ``torch.export``
        program saved as ``.pt2``). Unknown (None) input dimensions stay dynamic. See ``saving/export.py``."""
        from kerastorch.saving.export import export_model  # local import: saving sits above models
        return export_model(self, filepath, format=format, verbose=verbose, input_signature=input_signature,
                            **kwargs)

    def to_json(self, **kwargs) -> str:
        from kerastorch import saving  # local import: saving sits above models (it rebuilds them)
        return saving.model_to_json(self, **kwargs)

    def get_config(self) -> dict:
        # Keras's Layer.get_config (a model has no input-shape keys of its own).
        cfg = Layer.get_config(self)
        return {k: v for k, v in cfg.items() if k in ("name", "trainable", "dtype", "activity_regularizer")}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A model from its config; a functional model's config (Keras 3 or Keras 2 dialect) rebuilds its graph."""
        functional = _functional_class()
        if isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config) \
                and (cls is Model or issubclass(cls, functional)):
            return functional_config.functional_from_config(functional if cls is Model else cls, config,
                                                            custom_objects=custom_objects)
        return super().from_config(config)

    def build(self, input_shape) -> None:
        """Build a subclassed model by running its ``call`` once on small zero tensors.

        The run leaves no state behind, as Keras's symbolic build does: it is a probe in inference
        mode (BatchNormalization keeps its moving statistics, a stateful RNN its states), and the
        metrics held by the model and its layers get their values back afterwards.
        """
        self.built = True
        if type(self).call is Model.call:
            return
        self._build_input_shape = input_shape
        metrics = [metric for layer in self._flatten_layers() for metric in layer._attribute_metrics()]
        saved = [[variable.clone() for variable in metric.variables] for metric in metrics]
        with torch.no_grad(), probing(), training_context(False):
            self.call(_zeros_for_shape(input_shape, self._build_device()))
            for metric, values in zip(metrics, saved):
                variables = metric.variables
                if len(variables) != len(values):  # the probe built the metric: start it fresh
                    metric.reset_state()
                    continue
                for variable, value in zip(variables, values):
                    variable.copy_(value)

    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError(f"Model {type(self).__name__} has no `call` method. Subclasses of "
                                  "keras.Model must implement `call(self, inputs, training=None)`.")


_FUNCTIONAL_SUBCLASSES: dict = {}


def _functional_init_arguments(args, kwargs) -> bool:
    """Whether ``Model.__init__`` received functional ``(inputs, outputs)`` (Keras's rule, KerasTensors checked)."""
    if len(args) == 2:
        candidates = args
    elif len(args) == 1 and "outputs" in kwargs:
        candidates = (args[0], kwargs["outputs"])
    elif "inputs" in kwargs and "outputs" in kwargs:
        candidates = (kwargs["inputs"], kwargs["outputs"])
    else:
        return False
    return all(tree.flatten(c) and all(type(t) is KerasTensor for t in tree.flatten(c)) for c in candidates)


def _functional_subclass(cls):
    """``cls`` with ``Functional`` behind it in the MRO, under the same name (cached per class)."""
    sub = _FUNCTIONAL_SUBCLASSES.get(cls)
    if sub is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        sub = type(cls.__name__, (cls, _functional_class()), namespace)
        _FUNCTIONAL_SUBCLASSES[cls] = sub
    return sub


def _functional_class() -> type:
    # local import: Functional subclasses Model, so model.py cannot import functional.py at load time.
    from kerastorch.models.functional import Functional
    return Functional


_COUNTER_SUFFIX = re.compile(r"_\d+$")


def structural_key(model: nn.Module, name: str) -> str:
    """The key under which a container model (functional, Sequential) registers a layer: its name without
    the session counter suffix (``dense_4`` -> ``dense``), numbered again within this model (``dense``,
    ``dense_1``, ... in layer order).

    Keras auto-names count per process, so the second instance of an architecture has ``dense_4`` where
    the first had ``dense_2``; keys built from the names themselves would differ between the two and
    ``load_state_dict`` would fail. These keys depend only on the layers' names up to their counters and on
    their order, so two instances of one architecture, a model rebuilt by ``load_model`` or ``clone_model``,
    and a model built in another process all have the same ``state_dict`` keys. In a fresh session the keys
    are the layer names. ``get_layer(name)``, ``summary()`` and the weights files use the names, unchanged.
    Subclassed models keep torch's rule: attribute names.
    """
    base = _COUNTER_SUFFIX.sub("", name).replace(".", "_") or "layer"
    if hasattr(type(model), base) or base in model.__dict__:
        base = f"layer_{base}"
    key, i = base, 0
    while key in model._modules:
        i += 1
        key = f"{base}_{i}"
    return key


def is_plain_module(m) -> bool:
    return isinstance(m, nn.Module) and not isinstance(m, Layer)
