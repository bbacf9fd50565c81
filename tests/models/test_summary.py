"""model.summary() prints what Keras 3 prints (checked against real Keras's print_fn output),
including ``positions``, ``layer_range``, ``line_length`` and ``show_trainable``."""
from __future__ import annotations

import pytest


def _sequential(k):
    layers = [k.Input(shape=(4,)), k.layers.Dense(8, name="first_dense_layer_with_a_long_name"),
              k.layers.Dropout(0.1, name="drop"), k.layers.Dense(3, name="b"), k.layers.BatchNormalization(name="norm"),
              k.layers.Dense(1, name="c")]
    model = k.Sequential(layers, name="seq")
    model.get_layer("b").trainable = False
    return model


def _branching(k):
    inp = k.Input(shape=(4,), name="features")
    a = k.layers.Dense(3, name="a")(inp)
    b = k.layers.Dense(2, name="b")(inp)
    c = k.layers.Concatenate(name="joined")([a, b])
    return k.Model(inp, [c, a], name="branches")


def _chain(k):
    inp = k.Input(shape=(6,), name="x")
    out = k.layers.Dense(2, name="out")(k.layers.Dense(5, activation="relu", name="hidden")(inp))
    return k.Model(inp, out, name="chain")


def _text(model, **kwargs) -> str:
    printed = []
    model.summary(print_fn=printed.append, **kwargs)
    assert len(printed) == 1  # Keras hands print_fn the whole text at once
    return printed[0]


CASES = [
    (_sequential, {}),
    (_sequential, {"line_length": 70, "positions": [0.3, 0.7, 1.0]}),
    (_sequential, {"positions": [0.2, 0.4, 0.6]}),
    (_sequential, {"positions": [10, 30, 50], "line_length": 50}),
    (_sequential, {"layer_range": ["b", "c"]}),
    (_sequential, {"layer_range": ["c", "drop"]}),
    (_sequential, {"layer_range": ["first.*", "dr.p"], "show_trainable": True}),
    (_sequential, {"show_trainable": True, "line_length": 100}),
    (lambda k: k.Sequential([k.layers.Dense(8, name="a"), k.layers.BatchNormalization(name="bn")], name="u"), {}),
    (_branching, {}),
    (_branching, {"show_trainable": True}),
    (_branching, {"layer_range": ["b", "joined"], "line_length": 60}),
    (_chain, {}),
    (_chain, {"positions": [0.5, 0.75, 1.0], "line_length": 40}),
]


@pytest.mark.parametrize("build,kwargs", CASES, ids=[f"{b.__name__}-{sorted(kw)}-{i}" for i, (b, kw) in
                                                      enumerate(CASES)])
def test_summary_text_equals_keras(keras, real_keras, build, kwargs):
    ours = _text(build(keras), **kwargs)
    theirs = _text(build(real_keras), **kwargs)
    assert ours == theirs


def test_layer_range_errors_like_keras(keras, real_keras):
    for k in (keras, real_keras):
        model = _chain(k)
        with pytest.raises(ValueError, match="layer_range must be a list or tuple of length 2"):
            model.summary(print_fn=print, layer_range=["x"])
        with pytest.raises(ValueError, match="layer_range should contain string type only"):
            model.summary(print_fn=print, layer_range=["x", 1])
        with pytest.raises(ValueError, match="Passed layer_names do not match the layer names in the model"):
            model.summary(print_fn=print, layer_range=["nope", "out"])
        with pytest.raises(ValueError, match="Insufficient console width to print summary."):
            model.summary(print_fn=print, line_length=10)


def test_default_prints_to_stdout(keras, capsys):
    model = _chain(keras)
    model.summary()
    assert capsys.readouterr().out == _text(model)
