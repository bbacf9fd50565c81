"""model_to_dot / plot_model against real Keras's on the same architectures: same boxes, same edges."""
import os
import shutil

import pytest

import kerastorch as kt
from kerastorch.utils import model_visualization

pydot = pytest.importorskip("pydot")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _build(lib):
    inputs = lib.Input((8,), name="features")
    aux = lib.Input((3,), name="aux")
    x = lib.layers.Dense(4, activation="relu", name="hidden")(inputs)
    y = lib.layers.Dense(4, name="aux_dense")(aux)
    merged = lib.layers.Concatenate(name="merge")([x, y])
    inner = lib.Sequential([lib.Input((8,)), lib.layers.Dense(2, name="inner_dense"),
                            lib.layers.Dropout(0.1, name="inner_drop")], name="head")
    out = inner(merged)
    return lib.Model([inputs, aux], out, name="two_inputs")


def _sequential(lib):
    return lib.Sequential([lib.Input((5,)), lib.layers.Dense(3, activation="tanh", name="d1"),
                           lib.layers.BatchNormalization(name="bn"), lib.layers.Dense(1, name="d2")], name="seq")


def _graph(dot):
    """Labels and edges with node ids replaced by the layer names written in the labels."""
    nodes = {}

    def collect(graph):
        for node in graph.get_nodes():
            if node.get_name() not in ("node", "graph", "edge"):
                nodes[node.get_name()] = node.get("label")
        for sub in graph.get_subgraphs():
            collect(sub)
    collect(dot)

    def edges(graph):
        found = [(nodes[e.get_source()], nodes[e.get_destination()]) for e in graph.get_edges()]
        for sub in graph.get_subgraphs():
            found += edges(sub)
        return found
    return sorted(nodes.values()), sorted(edges(dot)), {k: dot.get(k) for k in ("rankdir", "dpi", "splines")}


@pytest.mark.parametrize("builder", [_build, _sequential])
@pytest.mark.parametrize("kwargs", [{}, dict(show_shapes=True, show_dtype=True, show_layer_activations=True,
                                             show_trainable=True),
                                    dict(expand_nested=True, show_layer_names=False, rankdir="LR")])
def test_model_to_dot_matches_keras(builder, kwargs):
    ours = model_visualization.model_to_dot(builder(kt), **kwargs)
    theirs = keras.utils.model_to_dot(builder(keras), **kwargs)
    assert _graph(ours) == _graph(theirs)


def test_errors_match_keras():
    model = _sequential(kt)
    with pytest.raises(ValueError, match="layer_range"):
        model_visualization.model_to_dot(model, layer_range=["a", "b"])
    with pytest.raises(ValueError, match="Unrecognized"):
        model_visualization.model_to_dot(model, colour=True)


def test_plot_model_writes_the_file(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` program is not installed")
    path = tmp_path / "model.png"
    kt.utils.plot_model(_build(kt), to_file=str(path), show_shapes=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_graphviz_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(model_visualization, "check_graphviz", lambda: False)
    with pytest.raises(ImportError, match="graphviz"):
        kt.utils.plot_model(_sequential(kt))
    monkeypatch.setattr(model_visualization, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        kt.utils.model_to_dot(_sequential(kt))
