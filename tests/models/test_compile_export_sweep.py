"""Every public layer family survives torch.compile(fullgraph=True) and torch.export with equal outputs.

One small functional model per family (core, conv, pooling, normalization, recurrent, attention, merging,
reshaping, regularization, activations, numeric preprocessing). Each is run eagerly, through
``torch.compile(model, fullgraph=True)`` (dynamo must capture the whole forward: no graph break) and through
``torch.export.export`` with a dynamic batch (the program run at another batch size); outputs must agree
within 1e-5. The sweep compiles with the ``eager`` backend: graph capture (dynamo, fullgraph) is what a layer
can break, while inductor's code generation only costs time (inductor cases, inference and training, are
marked slow). ``aot_eager`` is not used: its debug dispatch mode rejects buffer subclasses
(``NonTrainableVariable``), which inductor accepts.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch


def _core(k):
    inp = k.Input((6,))
    h = k.layers.Dense(5, activation="relu")(inp)
    h = k.layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")(h)
    return k.Model(inp, k.layers.Identity()(h)), (6,), "float32"


def _embedding(k):
    inp = k.Input((5,), dtype="int64")
    h = k.layers.Embedding(11, 4)(inp)
    return k.Model(inp, k.layers.GlobalAveragePooling1D()(h)), (5,), "int64"


def _conv(k):
    inp = k.Input((8, 8, 3))
    h = k.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    h = k.layers.DepthwiseConv2D(3)(h)
    h = k.layers.SeparableConv2D(4, 3, padding="same")(h)
    h = k.layers.Conv2DTranspose(2, 2, strides=2)(h)
    return k.Model(inp, h), (8, 8, 3), "float32"


def _conv1d(k):
    inp = k.Input((10, 3))
    h = k.layers.Conv1D(4, 3, dilation_rate=2)(inp)
    return k.Model(inp, k.layers.Conv1DTranspose(2, 3)(h)), (10, 3), "float32"


def _pooling(k):
    inp = k.Input((8, 8, 3))
    h = k.layers.MaxPooling2D()(inp)
    h = k.layers.AveragePooling2D(padding="same")(h)
    return k.Model(inp, k.layers.GlobalMaxPooling2D()(h)), (8, 8, 3), "float32"


def _normalization(k):
    inp = k.Input((6, 4))
    h = k.layers.BatchNormalization()(inp)
    h = k.layers.LayerNormalization()(h)
    h = k.layers.GroupNormalization(groups=2)(h)
    return k.Model(inp, k.layers.UnitNormalization()(h)), (6, 4), "float32"


def _recurrent(k):
    inp = k.Input((3, 3))
    h = k.layers.LSTM(4, return_sequences=True)(inp)
    return k.Model(inp, k.layers.Bidirectional(k.layers.GRU(2))(h)), (3, 3), "float32"


def _simple_rnn(k):
    inp = k.Input((3, 2))
    return k.Model(inp, k.layers.SimpleRNN(2)(inp)), (3, 2), "float32"


def _attention(k):
    inp = k.Input((5, 8))
    h = k.layers.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp)
    return k.Model(inp, k.layers.Attention()([h, inp])), (5, 8), "float32"


def _merging(k):
    a = k.Input((4,))
    b = k.layers.Dense(4)(a)
    h = k.layers.Concatenate()([k.layers.Add()([a, b]), k.layers.Multiply()([a, b])])
    h = k.layers.Average()([k.layers.Maximum()([a, b]), k.layers.Subtract()([a, b])])
    return k.Model(a, h), (4,), "float32"


def _reshaping(k):
    inp = k.Input((4, 4, 2))
    h = k.layers.ZeroPadding2D(1)(inp)
    h = k.layers.Cropping2D(1)(h)
    h = k.layers.UpSampling2D(2)(h)
    h = k.layers.Permute((3, 1, 2))(h)
    h = k.layers.Reshape((2, 64))(h)
    return k.Model(inp, k.layers.Flatten()(h)), (4, 4, 2), "float32"


def _regularization(k):
    inp = k.Input((6,))
    h = k.layers.Dropout(0.5)(inp)
    h = k.layers.GaussianNoise(0.1)(h)
    h = k.layers.ActivityRegularization(l1=0.01)(h)
    return k.Model(inp, k.layers.SpatialDropout1D(0.2)(k.layers.Reshape((3, 2))(h))), (6,), "float32"


def _activations(k):
    inp = k.Input((6,))
    h = k.layers.ReLU(max_value=2.0)(inp)
    h = k.layers.LeakyReLU()(h)
    h = k.layers.PReLU()(h)
    h = k.layers.ELU()(h)
    return k.Model(inp, k.layers.Softmax()(k.layers.Activation("gelu")(h))), (6,), "float32"


def _preprocessing(k):
    inp = k.Input((4, 4, 3))
    h = k.layers.Rescaling(1 / 255.0, offset=-0.5)(inp)
    norm = k.layers.Normalization(mean=0.2, variance=2.0)
    return k.Model(inp, k.layers.CenterCrop(2, 2)(norm(h))), (4, 4, 3), "float32"


FAMILIES = {"core": _core, "embedding": _embedding, "conv": _conv, "conv1d": _conv1d, "pooling": _pooling,
            "normalization": _normalization, "recurrent": _recurrent, "simple_rnn": _simple_rnn,
            "attention": _attention, "merging": _merging, "reshaping": _reshaping, "regularization": _regularization,
            "activations": _activations, "preprocessing": _preprocessing}


def _input(shape, dtype, batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    if dtype == "int64":
        return torch.randint(0, 11, (batch,) + shape, generator=g)
    return torch.rand((batch,) + shape, generator=g)


# ActivityRegularization adds its loss while torch.export traces (grad mode on); the warning is expected.
@pytest.mark.filterwarnings("ignore:The tensor attribute .*_losses.* was assigned during export")
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_survives_compile_fullgraph_and_export(keras, family):
    torch._dynamo.reset()
    model, shape, dtype = FAMILIES[family](keras)
    model.eval()
    x = _input(shape, dtype, 3)
    with torch.no_grad():
        expected = model(x)
        compiled = torch.compile(model, fullgraph=True, backend="eager")
        torch.testing.assert_close(compiled(x), expected, atol=1e-5, rtol=1e-5)
    program = torch.export.export(model, (x,), dynamic_shapes=(({0: torch.export.Dim.AUTO},),), strict=False)
    x5 = _input(shape, dtype, 5, seed=1)
    with torch.no_grad():
        torch.testing.assert_close(program.module()(x5), model(x5), atol=1e-5, rtol=1e-5)


def test_training_mode_compile_fullgraph_gradients_match(keras):
    torch._dynamo.reset()
    model, shape, dtype = _normalization(keras)
    model.train()
    x = _input(shape, dtype, 4)
    compiled = torch.compile(model, fullgraph=True, backend="eager")
    eager_loss = model(x).square().mean()
    eager_grads = torch.autograd.grad(eager_loss, list(model.parameters()))
    compiled_loss = compiled(x).square().mean()
    compiled_grads = torch.autograd.grad(compiled_loss, list(model.parameters()))
    torch.testing.assert_close(compiled_loss, eager_loss, atol=1e-5, rtol=1e-5)
    for a, b in zip(compiled_grads, eager_grads):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


@pytest.mark.slow
def test_inductor_fullgraph_training_step_matches_eager(keras):
    torch._dynamo.reset()
    model, shape, dtype = _normalization(keras)
    model.train()
    x = _input(shape, dtype, 4)
    eager_loss = model(x).square().mean()
    compiled_loss = torch.compile(model, fullgraph=True)(x).square().mean()
    torch.testing.assert_close(compiled_loss, eager_loss, atol=1e-5, rtol=1e-5)
    for a, b in zip(torch.autograd.grad(compiled_loss, list(model.parameters())),
                    torch.autograd.grad(eager_loss, list(model.parameters()))):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


@pytest.mark.slow
def test_inductor_fullgraph_on_a_conv_model(keras):
    torch._dynamo.reset()
    model, shape, dtype = _conv(keras)
    model.eval()
    x = _input(shape, dtype, 2)
    with torch.no_grad():
        np.testing.assert_allclose(torch.compile(model, fullgraph=True)(x).numpy(), model(x).numpy(), atol=1e-5)
