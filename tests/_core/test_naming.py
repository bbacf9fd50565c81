"""Auto-names and snake_case against real Keras 3 (``model.get_layer("conv2d")`` must work)."""
from __future__ import annotations

import inspect
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
real_keras = pytest.importorskip("keras")
from keras.src.utils import naming as keras_naming  # noqa: E402

import kerastorch  # noqa: E402
from kerastorch._core import naming  # noqa: E402


def _shared_layer_class_names() -> list[str]:
    ours = {n for n, v in vars(kerastorch.layers).items()
            if inspect.isclass(v) and issubclass(v, kerastorch.layers.Layer)}
    theirs = {n for n in dir(real_keras.layers) if inspect.isclass(getattr(real_keras.layers, n))}
    return sorted(ours & theirs)


def test_many_layer_classes_are_compared():
    assert len(_shared_layer_class_names()) > 80


@pytest.mark.parametrize("class_name", _shared_layer_class_names())
def test_snake_case_of_every_shared_layer_class_is_keras(class_name):
    assert naming.to_snake_case(class_name) == keras_naming.to_snake_case(class_name)


@pytest.mark.parametrize("name, expected", [
    ("Conv2D", "conv2d"), ("Conv1DTranspose", "conv1d_transpose"), ("ReLU", "re_lu"),
    ("TopKCategoricalAccuracy", "top_k_categorical_accuracy"), ("AUC", "auc"), ("L1L2", "l1l2"),
    ("ConvLSTM2D", "conv_lstm2d"), ("my-layer!", "mylayer"),
])
def test_snake_case_examples(name, expected):
    assert naming.to_snake_case(name) == expected == keras_naming.to_snake_case(name)


# Layers built with their minimal arguments in both libraries; the auto-names must agree,
# including the numbering of a second instance.
_MINIMAL = [
    ("Dense", (3,)), ("Conv1D", (2, 3)), ("Conv2D", (2, 3)), ("Conv3D", (2, 3)), ("Conv1DTranspose", (2, 3)),
    ("Conv2DTranspose", (2, 3)), ("DepthwiseConv2D", (3,)), ("SeparableConv2D", (2, 3)), ("ReLU", ()),
    ("LSTM", (4,)), ("GRU", (4,)), ("SimpleRNN", (4,)), ("ConvLSTM2D", (2, 3)), ("BatchNormalization", ()),
    ("LayerNormalization", ()), ("MaxPooling2D", ()), ("GlobalAveragePooling1D", ()), ("Embedding", (10, 3)),
    ("MultiHeadAttention", (2, 4)), ("Flatten", ()), ("Dropout", (0.5,)), ("PReLU", ()), ("UpSampling2D", ()),
    ("ZeroPadding2D", ()), ("Cropping1D", ()),
]


@pytest.mark.parametrize("class_name, args", _MINIMAL, ids=[c for c, _ in _MINIMAL])
def test_auto_names_equal_keras(class_name, args):
    real_keras.backend.clear_session()
    kerastorch.backend.clear_session()
    theirs = [getattr(real_keras.layers, class_name)(*args).name for _ in range(2)]
    ours = [getattr(kerastorch.layers, class_name)(*args).name for _ in range(2)]
    assert ours == theirs


def test_get_layer_by_keras_auto_name():
    kerastorch.backend.clear_session()
    model = kerastorch.Sequential([kerastorch.Input((8, 8, 1)), kerastorch.layers.Conv2D(2, 3),
                                   kerastorch.layers.Conv2D(2, 3)])
    assert model.get_layer("conv2d") is model.layers[0]
    assert model.get_layer("conv2d_1") is model.layers[1]
