"""keras.saving.KerasFileEditor against Keras 3.15.1's: the same weights tree from the same file, the same
compare() verdicts, and edited files that both libraries load into the changed model."""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")
pytest.importorskip("rich")  # Keras's editor prints with rich

import kerastorch  # noqa: E402
from kerastorch.saving import KerasFileEditor  # noqa: E402

X = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")


def _model(lib, units=(3, 2)):
    return lib.Sequential([lib.Input((4,)), lib.layers.Dense(units[0], name="a"), lib.layers.Dense(units[1], name="b")])


def _tree(d):
    return {k: _tree(v) if isinstance(v, dict) else (tuple(np.shape(v)), np.asarray(v).tobytes())
            for k, v in d.items()}


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_same_tree_as_keras_editor(tmp_path, suffix, capsys):
    model = _model(kerastorch)
    path = str(tmp_path / f"m{suffix}")
    model.save(path) if suffix == ".keras" else model.save_weights(path)
    ours, theirs = KerasFileEditor(path), keras.saving.KerasFileEditor(path)
    assert _tree(ours.weights_dict) == _tree(theirs.weights_dict)
    assert (ours.config is None) == (theirs.config is None)
    ours.summary()
    out = capsys.readouterr().out
    assert "Weights structure" in out and "a" in out and "shape=(4, 3)" in out


def test_compare_matches_keras_verdicts(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _model(kerastorch).save_weights(path)
    for reference_units in ((3, 2), (5, 2)):
        ours = KerasFileEditor(path).compare(_model(kerastorch, reference_units))
        theirs = keras.saving.KerasFileEditor(path).compare(_model(keras, reference_units))
        assert ours == theirs
    assert ours["status"] == "error" and ours["error_count"] > 0


def test_edit_then_load_into_the_changed_model(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    model = _model(kerastorch)
    model.save_weights(path)
    editor = KerasFileEditor(path)
    new_kernel = np.ones((3, 5), "float32")
    # Keras 3 files name a container's layers by class (dense, dense_1), not by layer name.
    editor.delete_object("layers/dense_1")
    editor.add_object("layers/dense_1", {"0": new_kernel, "1": np.zeros(5, "float32")})
    editor.rename_object("dense", "renamed")
    editor.add_weights("renamed", {"2": np.zeros(1, "float32")})
    editor.delete_weight("layers/renamed", "2")
    editor.rename_object("layers/renamed", "dense")
    edited = str(tmp_path / "edited.weights.h5")
    editor.save(edited)
    for lib in (kerastorch, keras):
        changed = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, name="first"), lib.layers.Dense(5, name="c")])
        changed.load_weights(edited)
        np.testing.assert_array_equal(lib.ops.convert_to_numpy(changed.layers[1].kernel), new_kernel)
        np.testing.assert_array_equal(lib.ops.convert_to_numpy(changed.layers[0].kernel),
                                      model.layers[0].kernel.detach().numpy())
    assert _tree(KerasFileEditor(edited).weights_dict) == _tree(keras.saving.KerasFileEditor(edited).weights_dict)


def test_editor_errors_are_keras_errors(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _model(kerastorch).save_weights(path)
    editor = KerasFileEditor(path)
    with pytest.raises(ValueError, match="does not appear"):
        editor.delete_object("nope")
    with pytest.raises(ValueError, match="not found in model"):
        editor.rename_object("layers/nope", "x")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "x/y")
    with pytest.raises(ValueError, match="should be a dict"):
        editor.add_weights("dense", [1])
    with pytest.raises(ValueError, match="Weight 7 not found"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="`.weights.h5` extension"):
        editor.save(str(tmp_path / "x.h5"))
    with pytest.raises(ValueError, match="Invalid filename"):
        KerasFileEditor(str(tmp_path / "x.h5"))
