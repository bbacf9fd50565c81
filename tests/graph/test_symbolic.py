"""kerastorch.graph: symbolic calls, shape probing and the probing flag."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from kerastorch import graph


def test_is_probing_only_inside_the_context_and_nested():
    assert not graph.is_probing()
    with graph.probing():
        assert graph.is_probing()
        with graph.probing():
            assert graph.is_probing()
        assert graph.is_probing()
    assert not graph.is_probing()


def test_probing_flag_is_per_thread():
    seen = []
    with graph.probing():
        t = threading.Thread(target=lambda: seen.append(graph.is_probing()))
        t.start()
        t.join()
    assert seen == [False]


def test_probing_flag_is_reset_after_an_exception():
    with pytest.raises(RuntimeError):
        with graph.probing():
            raise RuntimeError("boom")
    assert not graph.is_probing()


def test_layer_sees_probing_during_symbolic_call_not_during_eager_call(keras):
    seen = []

    class Spy(keras.layers.Layer):
        def call(self, x):
            seen.append(graph.is_probing())
            return x * 2

    layer = Spy()
    out = layer(keras.Input((3,)))
    assert seen and all(seen)
    assert out.shape == (None, 3)
    seen.clear()
    layer(torch.ones(2, 3))
    assert seen == [False]


def test_symbolic_call_records_one_node_and_unknown_dims_stay_unknown(keras):
    inputs = keras.Input((None, 4))
    layer = keras.layers.Dense(5)
    out = layer(inputs)
    assert isinstance(out, graph.KerasTensor)
    assert out.shape == (None, None, 5)
    assert len(layer._inbound_nodes) == 1
    node = layer._inbound_nodes[0]
    assert isinstance(node, graph.Node) and not node.is_input
    assert out._keras_history == graph.KerasHistory(layer, 0, 0)
    assert inputs._keras_history.layer._inbound_nodes[0].is_input


def test_infer_output_shape_records_no_node(keras):
    layer = keras.layers.Conv2D(4, 3)
    assert graph.infer_output_shape(layer, (None, 8, 8, 1)) == (None, 6, 6, 4)
    assert layer._inbound_nodes == []
    assert layer.compute_output_shape((None, 8, 8, 1)) == (None, 6, 6, 4)


def test_torch_functions_on_keras_tensors_become_op_nodes(keras):
    inputs = keras.Input((3,))
    out = torch.cat([inputs, inputs * 2], dim=1)
    model = keras.Model(inputs, out)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(model.predict(x, verbose=0), np.concatenate([x, 2 * x], axis=1))


def test_map_graph_orders_layers_as_keras(keras):
    a = keras.Input((2,), name="a")
    b = keras.Input((2,), name="b")
    d1 = keras.layers.Dense(2, name="d1")
    d2 = keras.layers.Dense(2, name="d2")
    out = keras.layers.Add(name="add")([d1(a), d2(b)])
    nodes, layers = graph.map_graph([a, b], [out])
    assert [layer.name for layer in layers] == ["a", "b", "d1", "d2", "add"]
    assert nodes[-1].layer.name == "add"


def test_graph_disconnected_is_a_clear_error(keras):
    a = keras.Input((2,))
    b = keras.Input((2,))
    out = keras.layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        graph.map_graph([a], [out])


def test_layer_graph_properties(keras):
    inputs = keras.Input((4,))
    layer = keras.layers.Dense(3)
    # (nn.Module.__getattr__ replaces a property's AttributeError message with its own.)
    with pytest.raises(AttributeError):
        layer.output_shape
    with pytest.raises(AttributeError):
        layer.input
    out = layer(inputs)
    assert layer.input is inputs and layer.output is out
    assert layer.input_shape == (None, 4) and layer.output_shape == (None, 3)
    assert keras.layers.Dense(3, input_shape=(7,)).input_shape == (None, 7)


def test_stateful_rnn_state_is_untouched_by_a_shape_probe(keras):
    layer = keras.layers.SimpleRNN(2, stateful=True)
    layer(torch.ones(1, 3, 4))
    before = [s.clone() for s in layer.states]
    layer.compute_output_shape((1, 3, 4))
    assert all(torch.equal(a, b) for a, b in zip(before, layer.states))


def test_old_import_paths_still_work():
    from kerastorch.layers import KerasTensor
    from kerastorch.layers.input_layer import KerasHistory
    from kerastorch.layers.input_layer import KerasTensor as KT
    assert KerasTensor is KT is graph.KerasTensor and KerasHistory is graph.KerasHistory
