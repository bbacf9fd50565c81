"""TorchModuleWrapper and the automatic wrapping of plain torch modules (Sequential, functional, attributes):
shapes by running the module, training by fit, counts, freezing, weights files, configs without pickling,
transparent state_dict keys, and the Keras 3 oracle (names, config keys, weight counts, file layout)."""
from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch
from helpers.layer_check import real_keras
from torch import nn

import kerastorch
from kerastorch.layers import layer as layer_module


class Block(nn.Module):
    """A custom torch block: two Linears and a BatchNorm (parameters and buffers)."""

    def __init__(self, d_in: int = 4, hidden: int = 8, d_out: int = 2):
        super().__init__()
        self.d_in, self.hidden, self.d_out = d_in, hidden, d_out
        self.a = nn.Linear(d_in, hidden)
        self.norm = nn.BatchNorm1d(hidden)
        self.b = nn.Linear(hidden, d_out)

    def forward(self, x):
        return self.b(torch.relu(self.norm(self.a(x))))

    def get_config(self) -> dict:
        return {"d_in": self.d_in, "hidden": self.hidden, "d_out": self.d_out}


kerastorch.saving.register_keras_serializable(package="test_tmw")(Block)


def _data(n=16, d=4, k=2):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, d)).astype("float32"), rng.normal(size=(n, k)).astype("float32")


def _functional_with_block(keras):
    inp = keras.Input((4,))
    h = keras.layers.Dense(4)(inp)
    out = Block()(h)
    return keras.Model(inp, out)


def test_plain_module_in_functional_graph_is_trained_counted_and_saved(keras, tmp_path):
    model = _functional_with_block(keras)
    block_params = 4 * 8 + 8 + 8 + 8 + 8 * 2 + 2
    assert isinstance(model.layers[-1], keras.layers.TorchModuleWrapper)
    assert model.count_params() == 4 * 4 + 4 + block_params == sum(p.numel() for p in model.parameters())
    assert model.output_shape == (None, 2)
    model.compile("adam", "mse")
    x, y = _data()
    before = model.get_weights()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "m.weights.h5")
    kerastorch.saving.save_weights(model, path)
    with torch.no_grad():
        for w in model.parameters():
            w.add_(1.0)
        model.layers[-1].module.norm.running_mean.add_(1.0)
    kerastorch.saving.load_weights(model, path)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)


def test_summary_lists_the_wrapper_with_its_parameters(keras):
    model = _functional_with_block(keras)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "TorchModuleWrapper" in text and "74" in text


def test_sequential_wraps_modules_and_keras_file_round_trips(keras, tmp_path):
    model = keras.Sequential([keras.Input((4,)), nn.Linear(4, 6), nn.ReLU(), Block(6, 5, 3)])
    assert [type(l).__name__ for l in model.layers] == ["TorchModuleWrapper"] * 3
    assert model.output_shape == (None, 3)
    x, _ = _data()
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "seq.keras")
    kerastorch.saving.save_model(model, path)
    loaded = kerastorch.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)
    assert type(loaded.layers[2].module) is Block and type(loaded.layers[0].module) is nn.Linear
    assert loaded.layers[0].module.out_features == 6


def test_functional_keras_file_round_trips_a_registered_module(keras, tmp_path):
    model = _functional_with_block(keras)
    x, _ = _data()
    path = str(tmp_path / "f.keras")
    kerastorch.saving.save_model(model, path)
    loaded = kerastorch.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert list(loaded.state_dict()) == list(model.state_dict())


def test_transformer_lstm_and_multihead_attention_in_a_functional_graph(keras):
    torch.manual_seed(0)
    inp = keras.Input((5, 8))
    encoder = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    lstm = nn.LSTM(8, 6, batch_first=True)
    mha = nn.MultiheadAttention(6, 2, batch_first=True)
    seq, (h, c) = lstm(encoder(inp))
    att, _ = mha(seq, seq, seq)
    model = keras.Model(inp, att)
    assert model.output_shape == (None, 5, 6)
    x = np.random.default_rng(1).normal(size=(3, 5, 8)).astype("float32")
    with torch.no_grad():
        t = torch.from_numpy(x)
        s, _ = lstm(encoder(t))
        want = mha(s, s, s)[0]
    np.testing.assert_allclose(model.predict(x, verbose=0), want.numpy(), atol=1e-5)
    expected = sum(p.numel() for m in (encoder, lstm, mha) for p in m.parameters())
    assert model.count_params() == expected
    model.compile("adam", "mse")
    history = model.fit(x, np.zeros((3, 5, 6), "float32"), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_whole_model_pickles_with_torch_save(keras, tmp_path):
    model = keras.Sequential([keras.Input((4,)), nn.Linear(4, 2)])
    torch.save(model, tmp_path / "whole.pt")
    loaded = torch.load(tmp_path / "whole.pt", weights_only=False)
    x = torch.randn(3, 4)
    torch.testing.assert_close(loaded(x), model(x))


def test_calling_one_module_twice_shares_its_wrapper(keras):
    lin = nn.Linear(3, 3)
    inp = keras.Input((3,))
    model = keras.Model(inp, lin(lin(inp)))
    assert len([l for l in model.layers if isinstance(l, keras.layers.TorchModuleWrapper)]) == 1
    assert model.count_params() == 12
    x = torch.ones(2, 3)
    torch.testing.assert_close(model(x), lin(lin(x)))


def test_global_hooks_are_off_once_the_model_runs(keras):
    inp = keras.Input((3,))
    assert layer_module._PLAIN_MODULES.hooks_active
    model = keras.Model(inp, nn.Linear(3, 2)(inp))
    model(torch.ones(1, 3))
    assert not layer_module._PLAIN_MODULES.hooks_active
    assert not torch.nn.modules.module._has_any_global_hook()  # torch.compile would warn about stale ones


def test_keyword_arguments_of_a_module_call_are_recorded(keras):
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    inp = keras.Input((3, 4))
    out, weights = mha(inp, inp, inp, average_attn_weights=False)
    assert weights.shape == (None, 2, 3, 3)  # per head: the keyword reached the module
    model = keras.Model(inp, [out, weights])
    x = torch.randn(2, 3, 4)
    for got, want in zip(model(x), mha(x, x, x, average_attn_weights=False)):
        torch.testing.assert_close(got, want)


def test_subclassed_model_attribute_is_wrapped_transparently(keras):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.head = keras.layers.Dense(1)

        def call(self, x):
            return self.head(torch.relu(self.fc(x)))

    net = Net()
    net.build((None, 4))
    assert isinstance(net.fc, keras.layers.TorchModuleWrapper)
    assert net.fc.weight.shape == (3, 4)  # attributes of the module read through the wrapper
    assert list(net.state_dict())[:2] == ["fc.weight", "fc.bias"]
    other = Net()
    other.build((None, 4))
    other.load_state_dict(net.state_dict())
    x = torch.randn(2, 4)
    torch.testing.assert_close(other(x), net(x))
    # a checkpoint of the bare torch module loads into the wrapped one
    bare = nn.Linear(4, 3)
    net.fc.load_state_dict(bare.state_dict())
    torch.testing.assert_close(net.fc.module.weight, bare.weight)
    assert net.count_params() == 4 * 3 + 3 + 3 + 1


def test_losses_and_containers_assigned_to_a_model_are_not_wrapped(keras):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.criterion = nn.MSELoss()
            self.blocks = nn.ModuleList([nn.Linear(2, 2)])

        def call(self, x):
            return self.blocks[0](x)

    net = Net()
    assert type(net.criterion) is nn.MSELoss and type(net.blocks) is nn.ModuleList


def test_trainable_false_freezes_the_module(keras):
    wrapper = keras.layers.TorchModuleWrapper(nn.Linear(4, 2))
    model = keras.Sequential([keras.Input((4,)), wrapper, keras.layers.Dense(1)])
    wrapper.trainable = False
    assert len(wrapper.trainable_weights) == 0 and len(wrapper.non_trainable_weights) == 2
    model.compile("sgd", "mse")
    before = wrapper.get_weights()
    x, _ = _data()
    model.fit(x, np.ones((16, 1), "float32"), epochs=1, verbose=0)
    for a, b in zip(before, wrapper.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_config_never_pickles_and_refuses_what_it_cannot_describe(keras):
    cfg = keras.layers.TorchModuleWrapper(nn.Linear(4, 2, bias=False), name="lin").get_config()
    assert cfg["module"] == {"torch_module": "torch.nn.Linear", "registered": False,
                             "arguments": {"in_features": 4, "out_features": 2, "bias": False}}
    rebuilt = keras.layers.TorchModuleWrapper.from_config(cfg)
    assert rebuilt.module.bias is None and rebuilt.name == "lin"
    with pytest.raises(ValueError, match="register_keras_serializable"):
        keras.layers.TorchModuleWrapper(nn.TransformerEncoderLayer(8, 2)).get_config()

    class Unregistered(nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(ValueError, match="neither registered"):
        keras.layers.TorchModuleWrapper(Unregistered()).get_config()
    with pytest.raises(ValueError, match="never unpickles"):
        keras.layers.TorchModuleWrapper.from_config({**cfg, "module": "gASVAAAA"})
    with pytest.raises(ValueError, match="only registered classes"):
        keras.layers.TorchModuleWrapper.from_config(
            {**cfg, "module": {"torch_module": "os.system", "registered": False, "arguments": {}}})


def test_wrapper_errors(keras):
    with pytest.raises(TypeError, match="torch.nn.Module"):
        keras.layers.TorchModuleWrapper("not a module")
    with pytest.raises(ValueError, match="LazyModules"):
        keras.layers.TorchModuleWrapper(nn.LazyLinear(3))


def test_matches_keras3_names_config_keys_counts_and_weights_file(keras, tmp_path):
    real = real_keras()
    if not real:
        pytest.skip("real Keras is not installed")
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    theirs = real.layers.TorchModuleWrapper(module, output_shape=(None, 3))
    ours = keras.layers.TorchModuleWrapper(nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3)))
    ours.module.load_state_dict(module.state_dict())
    assert ours.name == theirs.name == "torch_module_wrapper"
    assert sorted(ours.get_config()) == sorted(theirs.get_config())
    assert ours.count_params() == theirs.count_params() == 21
    assert len(ours.weights) == len(theirs.weights) and len(ours.trainable_weights) == len(theirs.trainable_weights)
    # A Keras 3 weights file of a functional model holding the wrapper loads into ours, and ours into Keras.
    x = real.Input((4,))
    real_model = real.Model(x, theirs(x))
    real_path = str(tmp_path / "real.weights.h5")
    real_model.save_weights(real_path)
    inp = keras.Input((4,))
    our_model = keras.Model(inp, keras.layers.TorchModuleWrapper(nn.Sequential(nn.Linear(4, 3),
                                                                              nn.BatchNorm1d(3)))(inp))
    kerastorch.saving.load_weights(our_model, real_path)
    data = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(our_model.predict(data, verbose=0),
                               real_model.predict(data, verbose=0), atol=1e-6)
    our_path = str(tmp_path / "ours.weights.h5")
    kerastorch.saving.save_weights(our_model, our_path)
    with h5py.File(our_path) as f, h5py.File(real_path) as g:
        names = []
        f.visit(names.append)
        real_names = []
        g.visit(real_names.append)
    assert sorted(names) == sorted(real_names)
