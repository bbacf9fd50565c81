"""``keras.utils.model_to_dot`` / ``plot_model``: a model's layer graph as Graphviz, drawn as Keras draws it.

Nodes are HTML-like tables (name and class, optional activation, shapes, dtype, trainable), edges follow the
functional graph (a Sequential is a chain). pydot builds the graph and the Graphviz ``dot`` program renders
it; both are optional (``pip install "kerastorch[plot]"`` plus a Graphviz install), and without them the
functions raise ImportError saying what to install, as Keras does.
"""
from __future__ import annotations

import os
from typing import Any

from kerastorch._core import tree

try:
    import pydot
except ImportError:  # optional: only these two functions need it
    pydot = None


def check_pydot() -> bool:
    return pydot is not None


def check_graphviz() -> bool:
    """Whether Graphviz's ``dot`` program can be run (pydot calls it to render)."""
    if not check_pydot():
        return False
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, pydot.PydotException):
        return False


def _activation_name(layer: Any) -> str:
    activation = layer.activation
    return getattr(activation, "name", None) or getattr(activation, "__name__", None) or str(activation)


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    text = ", ".join(f"{k}: {v}" for k, v in shape.items()) if isinstance(shape, dict) else f"{shape}"
    return text.replace("}", "").replace("{", "")


def _layer_label(layer: Any, show_layer_names: bool, show_layer_activations: bool, show_dtype: bool,
                 show_shapes: bool, show_trainable: bool) -> str:
    class_name = type(layer).__name__
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    rows = [f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" color="white">{title}</font></td></tr>']
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">Activation: '
                    f"<b>{_activation_name(layer)}</b></font></td></tr>")
    cols = []
    if show_shapes:
        input_shape = output_shape = None
        try:
            input_shape = tree.map_structure(lambda t: t.shape, layer.input)
            output_shape = tree.map_structure(lambda t: t.shape, layer.output)
        except (ValueError, AttributeError):  # a layer used in no graph (or in several) has no single shape
            pass
        if class_name != "InputLayer":
            cols.append(f'<td bgcolor="white"><font point-size="14">Input shape: <b>{_format_shape(input_shape)}'
                        "</b></font></td>")
        cols.append(f'<td bgcolor="white"><font point-size="14">Output shape: <b>{_format_shape(output_shape)}'
                    "</b></font></td>")
    if show_dtype:
        dtype = None
        try:
            dtype = tree.map_structure(lambda t: t.dtype, layer.output)
        except (ValueError, AttributeError):
            pass
        cols.append(f'<td bgcolor="white"><font point-size="14">Output dtype: <b>{dtype or "?"}</b></font></td>')
    if show_trainable and layer.weights:
        color, text = ("forestgreen", "Trainable") if layer.trainable else ("firebrick", "Non-trainable")
        cols.append(f'<td bgcolor="{color}"><font point-size="14" color="white"><b>{text}</b></font></td>')
    if cols:
        rows.append(f"<tr>{''.join(cols)}</tr>")
    return '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">' + "".join(rows) + "</table>>"


def _add_node(dot: Any, layer: Any, options: dict) -> None:
    node = pydot.Node(str(id(layer)), label=_layer_label(layer, **options))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    dot.add_node(node)


def _add_edge(dot: Any, source: Any, destination: Any) -> None:
    src, dst = str(id(source)), str(id(destination))
    if not dot.get_edge(src, dst):
        edge = pydot.Edge(src, dst)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _is_graph_model(layer: Any) -> bool:
    return hasattr(layer, "_run_nodes") or _is_sequential(layer)


def _is_sequential(layer: Any) -> bool:
    return type(layer).__name__ == "Sequential" or any(c.__name__ == "Sequential" for c in type(layer).__mro__)


def _first_layer(model: Any) -> Any:
    """Where an edge into a nested model lands: its first (non-input) layer."""
    while _is_graph_model(model):
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        model = layers[0]
    return model


def _last_layer(model: Any, output_index: int = 0) -> Any:
    """Where an edge out of a nested model starts: the layer that made its output."""
    while _is_graph_model(model):
        if _is_sequential(model):
            model = model.layers[-1]
        else:
            model = model.outputs[output_index]._keras_history.layer
    return model


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
                 **kwargs: Any) -> Any:
    """The model as a ``pydot.Dot`` graph (a ``pydot.Cluster`` with ``subgraph=True``)."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    if not check_pydot():
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    options = dict(show_layer_names=show_layer_names, show_layer_activations=show_layer_activations,
                   show_dtype=show_dtype, show_shapes=show_shapes, show_trainable=show_trainable)
    if not _is_graph_model(model):  # a subclassed model: one box
        _add_node(dot, model, options)
        return dot
    layers = getattr(model, "operations", model.layers)  # operation nodes are boxes too, as in Keras 3
    for layer in layers:
        if expand_nested and _is_graph_model(layer):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested,
                                          subgraph=True, show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            _add_node(dot, layer, options)
    if _is_sequential(model):
        for source, destination in zip(layers, layers[1:]):
            if expand_nested:
                source, destination = _last_layer(source), _first_layer(destination)
            _add_edge(dot, source, destination)
        return dot
    own_nodes = {id(node) for node in model._run_nodes}
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in own_nodes:
                continue  # the layer's calls in other models
            for tensor in node.input_tensors:
                history = tensor._keras_history
                source, destination = history.layer, layer
                if expand_nested:
                    source, destination = _last_layer(source, history.tensor_index), _first_layer(destination)
                _add_edge(dot, source, destination)
    return dot


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
               **kwargs: Any) -> Any:
    """Draw the model to ``to_file`` (format from the suffix, PNG by default); in IPython, also show it."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    if not check_pydot():
        raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to work.")
    if not check_graphviz():
        raise ImportError("You must install graphviz (see instructions at https://graphviz.gitlab.io/download/) "
                          "for `plot_model` to work.")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable,
                       splines=splines)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
