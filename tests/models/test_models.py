"""Sequential, functional and subclassed models: structure, weights, errors, torch interop."""
from __future__ import annotations

import numpy as np
import pytest
import torch


def test_sequential_add_and_list_give_same_structure(keras):
    a = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, name="d1"), keras.layers.Dense(2, name="d2")])
    b = keras.Sequential()
    b.add(keras.Input(shape=(4,)))
    b.add(keras.layers.Dense(3, name="d1"))
    b.add(keras.layers.Dense(2, name="d2"))
    assert [l.name for l in a.layers] == [l.name for l in b.layers] == ["d1", "d2"]
    assert [w.shape for w in a.get_weights()] == [(4, 3), (3,), (3, 2), (2,)]
    b.set_weights(a.get_weights())
    x = np.random.rand(5, 4).astype("float32")
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), rtol=1e-6)


def test_sequential_without_input_builds_on_first_call(keras):
    model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(1)])
    assert not model.built
    out = model(np.zeros((2, 5), "float32"))
    assert tuple(out.shape) == (2, 1)
    assert [w.shape for w in model.get_weights()] == [(5, 3), (3,), (3, 1), (1,)]


def test_auto_naming_follows_keras(keras):
    layers = [keras.layers.Dense(1) for _ in range(3)]
    assert [l.name for l in layers] == ["dense", "dense_1", "dense_2"]
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"


def test_state_dict_uses_keras_names(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2), keras.layers.BatchNormalization()])
    keys = list(model.state_dict())
    assert "dense.kernel" in keys and "dense.bias" in keys
    assert "batch_normalization.moving_mean" in keys
    param_names = [n for n, _ in model.named_parameters()]
    assert "batch_normalization.moving_mean" not in param_names  # statistics are buffers


def test_functional_multi_io_and_dict_inputs(keras):
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = keras.layers.Concatenate()([keras.layers.Dense(4)(a), b])
    out1 = keras.layers.Dense(1, name="out1")(h)
    out2 = keras.layers.Dense(2, name="out2")(h)
    model = keras.Model([a, b], [out1, out2])
    xa, xb = np.random.rand(4, 3).astype("float32"), np.random.rand(4, 2).astype("float32")
    r1 = model([xa, xb])
    r2 = model({"a": xa, "b": xb})
    assert [tuple(t.shape) for t in r1] == [(4, 1), (4, 2)]
    torch.testing.assert_close(r1[0], r2[0])
    assert model.output_names == ["out1", "out2"]


def test_shared_layer_and_nested_model(keras):
    enc = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="enc")], name="encoder")
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    shared = keras.layers.Dense(3, name="shared")
    out = keras.layers.Add()([enc(shared(a)), enc(shared(b))])
    model = keras.Model([a, b], out)
    assert model.count_params() == (3 * 3 + 3) + (3 * 2 + 2)
    assert len(model.get_weights()) == 4
    x = np.ones((2, 3), "float32")
    expected = 2 * enc(shared(torch.from_numpy(x)))
    torch.testing.assert_close(model([x, x]), expected)


def test_ops_on_keras_tensors(keras):
    x = keras.Input(shape=(4,))
    y = keras.layers.Dense(4)(x)
    z = (y * 2 + x)[:, :2]
    model = keras.Model(x, z)
    data = torch.rand(3, 4)
    dense = model.layers[1]
    torch.testing.assert_close(model(data), (dense(data) * 2 + data)[:, :2])


def test_subclassed_model_layers_and_weights(keras):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [keras.layers.Dense(4, name="b0"), keras.layers.Dense(4, name="b1")]
            self.head = keras.layers.Dense(1, name="head")

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x)

    net = Net()
    net(np.zeros((1, 3), "float32"))
    assert [w.shape for w in net.get_weights()] == [(3, 4), (4,), (4, 4), (4,), (4, 1), (1,)]
    assert len(net.trainable_weights) == 6


def test_building_a_subclassed_model_leaves_no_state_behind(keras):
    # Model.build runs `call` once on zeros; like Keras's stateless symbolic build, that run must not
    # move BatchNormalization statistics (the model is in training mode inside fit) or count in a metric.
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.norm = keras.layers.BatchNormalization(momentum=0.5)
            self.head = keras.layers.Dense(1)
            self.calls = keras.metrics.Sum(name="calls")

        def call(self, x):
            self.calls.update_state(1.0)
            return self.head(self.norm(x))

    net = Net()
    net.train()
    net.build((None, 2))
    np.testing.assert_array_equal(net.norm.moving_variance.numpy(), [1.0, 1.0])
    assert float(net.calls.result()) == 0.0
    net = Net()
    net.compile("sgd", "mse")
    x = np.ones((4, 2), "float32")
    x[:2] = 3.0  # batch mean 2, variance 1
    history = net.fit(x, np.zeros((4, 1), "float32"), batch_size=4, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(net.norm.moving_mean.numpy(), [1.0, 1.0])      # 0.5 * 0 + 0.5 * 2
    np.testing.assert_allclose(net.norm.moving_variance.numpy(), [1.0, 1.0])  # 0.5 * 1 + 0.5 * 1
    assert history.history["calls"] == [1.0]


def test_a_metric_the_build_probe_creates_starts_fresh(keras):
    # F1Score makes its variables on its first update: the probe's update must not survive the build.
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.head = keras.layers.Dense(2, activation="softmax")
            self.scores = [keras.metrics.F1Score(average="micro")]

        def call(self, x):
            y = self.head(x)
            self.scores[0].update_state(keras.ops.one_hot(keras.ops.argmax(y, axis=-1), 2), y)  # always right
            return y

    net = Net()
    net.build((None, 3))
    assert net.metrics == net.scores
    assert float(net.scores[0].result()) == 0.0
    net(np.ones((4, 3), "float32"))
    assert float(net.scores[0].result()) == pytest.approx(1.0)


def test_plain_torch_module_inside_and_model_inside_torch(keras):
    model = keras.Sequential([keras.Input(shape=(4,)), torch.nn.Linear(4, 3), keras.layers.Dense(2)])
    assert len(model.trainable_weights) == 4
    model.compile("sgd", "mse")
    x, y = np.random.rand(16, 4).astype("float32"), np.random.rand(16, 2).astype("float32")
    before = model.layers[0].weight.detach().cpu().clone()
    model.fit(x, y, epochs=1, verbose=0)
    assert not torch.equal(before, model.layers[0].weight.detach().cpu())  # the torch module trained too

    inner = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
    outer = torch.nn.Sequential(inner, torch.nn.ReLU())
    outer.train()
    out = outer(torch.rand(3, 4))
    out.sum().backward()
    assert inner.layers[0].kernel.grad is not None


def test_trainable_flag_freezes_weights(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.compile("sgd", "mse")
    frozen = model.layers[0].get_weights()
    model.fit(np.random.rand(8, 3), np.random.rand(8, 1), verbose=0)
    np.testing.assert_array_equal(frozen[0], model.layers[0].get_weights()[0])


def test_wrong_input_shape_names_layer_and_shapes(keras):
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 784\), found shape=\(2, 28, 28\)"):
        model(np.zeros((2, 28, 28), "float32"))
    dense = keras.layers.Dense(3, name="fc")
    dense(np.zeros((1, 5), "float32"))
    with pytest.raises(ValueError, match=r"layer 'fc'.*value 5.*\(2, 7\)"):  # Keras's wording
        dense(np.zeros((2, 7), "float32"))


def test_set_weights_errors_name_the_weight(keras):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="fc")])
    with pytest.raises(ValueError, match="fc/kernel"):
        model.set_weights([np.zeros((4, 2)), np.zeros(2)])
    with pytest.raises(ValueError, match="expecting 2 weights"):
        model.set_weights([np.zeros((3, 2))])


def test_get_layer_and_summary(keras, capsys):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="fc")], name="tiny")
    assert model.get_layer("fc") is model.layers[0]
    assert model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    model.summary()
    text = capsys.readouterr().out
    assert 'Model: "tiny"' in text and "fc (Dense)" in text and "(None, 2)" in text and "Total params: 8" in text


def test_training_flag_follows_module_mode(keras):
    layer = keras.layers.Dropout(0.5)
    x = torch.ones(100, 10)
    assert torch.equal(layer(x), x)  # Keras default: inference
    layer.train()
    assert not torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)


def test_mask_propagates_from_embedding(keras):
    tokens = keras.Input(shape=(5,), dtype="int32")
    emb = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    pooled = keras.layers.GlobalAveragePooling1D()(emb)
    model = keras.Model(tokens, pooled)
    ids = np.array([[1, 2, 0, 0, 0]])
    table = model.layers[1].get_weights()[0]
    np.testing.assert_allclose(model.predict(ids, verbose=0)[0], table[[1, 2]].mean(0), rtol=1e-5)


def test_non_trainable_weights_support_assign_add(keras):
    """The Keras guide's ComputeSum layer: a non-trainable weight updated with assign_add."""
    class ComputeSum(keras.layers.Layer):
        def __init__(self, input_dim):
            super().__init__()
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

        def call(self, inputs):
            self.total.assign_add(torch.sum(inputs, dim=0))
            return self.total

    layer = ComputeSum(2)
    layer(np.ones((2, 2), "float32"))
    out = layer(np.ones((2, 2), "float32"))
    np.testing.assert_array_equal(out.numpy(), [4.0, 4.0])
    assert len(layer.non_trainable_weights) == 1 and not layer.trainable_weights
    assert "total" in layer.state_dict()
