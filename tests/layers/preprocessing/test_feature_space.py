"""keras.utils.FeatureSpace.

Real Keras runs FeatureSpace only with TensorFlow (``adapt`` builds a ``tf.data`` pipeline, the
call converts to TF tensors, and its lookup/hashing layers need TF), so the oracle here is:
real Keras 3.15's configs (the float feature types construct without TensorFlow), Keras's
documented rules (vocabulary order by count then token, descending; concat order = sorted
feature names then sorted cross names; one-hot width = the preprocessor's cardinality) and the
bucket ids Keras documents for ``Hashing`` / asserts for ``HashedCrossing``.
"""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import torch

import kerastorch as kt
from kerastorch.layers.preprocessing.hashed_crossing import cross_hash

FS = kt.utils.FeatureSpace
RAW = {"float_values": [0.0, 0.1, 0.2, 0.3], "string_values": ["zero", "one", "two", "three"],
       "int_values": [0, 1, 2, 3]}
# Keras orders a vocabulary by count, ties by token, both descending, after the OOV token.
STRING_INDEX = {"zero": 1, "two": 2, "three": 3, "one": 4}
INT_INDEX = {3: 1, 2: 2, 1: 3, 0: 4}


def _docstring_space(output_mode: str = "concat") -> FS:
    return FS(features={"float_values": "float_normalized", "string_values": "string_categorical",
                        "int_values": "integer_categorical"},
              crosses=[("string_values", "int_values")], output_mode=output_mode)


def _expected_concat() -> np.ndarray:
    floats = np.asarray(RAW["float_values"], dtype="float64")
    normalized = (floats - floats.mean()) / np.sqrt(floats.var())
    rows = []
    for f, s, i in zip(normalized, RAW["string_values"], RAW["int_values"]):
        int_hot, str_hot, cross_hot = np.zeros(5), np.zeros(5), np.zeros(32)
        int_hot[INT_INDEX[i]] = 1
        str_hot[STRING_INDEX[s]] = 1
        # The cross hashes the preprocessed (looked-up) values, in the cross's feature order.
        cross_hot[cross_hash([STRING_INDEX[s], INT_INDEX[i]], 32)] = 1
        # Sorted names: float_values, int_values, string_values, then the cross.
        rows.append(np.concatenate([[f], int_hot, str_hot, cross_hot]))
    return np.asarray(rows, dtype="float32")


def test_docstring_example_concat_values_and_order():
    fs = _docstring_space()
    fs.adapt(RAW)
    out = fs(RAW)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and tuple(out.shape) == (4, 43)
    np.testing.assert_allclose(out.numpy(), _expected_concat(), atol=1e-5)
    assert fs.preprocessors["string_values"].get_vocabulary() == ["[UNK]", "zero", "two", "three", "one"]
    assert isinstance(fs.crossers["string_values_X_int_values"], kt.layers.HashedCrossing)
    # One sample (scalars) gives one unbatched vector; tensors and numpy arrays are accepted too.
    one = fs({"float_values": 0.1, "string_values": "one", "int_values": 1})
    np.testing.assert_allclose(one.numpy(), _expected_concat()[1], atol=1e-5)
    batch = fs({"float_values": torch.tensor(RAW["float_values"]), "string_values": np.array(RAW["string_values"]),
                "int_values": torch.tensor(RAW["int_values"])})
    np.testing.assert_allclose(batch.numpy(), _expected_concat(), atol=1e-5)


def test_dict_mode_int_outputs_and_documented_hash_buckets():
    fs = FS(features={"s": FS.string_hashed(num_bins=3, output_mode="int"),
                      "c": FS.string_categorical(output_mode="int"), "i": FS.integer_categorical(output_mode="int")},
            crosses=[FS.cross(("c", "i"), crossing_dim=5, output_mode="int")], output_mode="dict")
    data = {"s": ["A", "B", "C", "D", "E"], "c": ["x", "y", "x", "y", "x"], "i": [7, 7, 8, 8, 8]}
    fs.adapt(data)
    out = fs(data)
    assert list(out) == ["c", "i", "s", "c_X_i"]
    # Keras's documented Hashing(num_bins=3) buckets of A..E.
    assert out["s"].tolist() == [[1], [0], [1], [1], [2]]
    assert out["c"].tolist() == [[1], [2], [1], [2], [1]]  # x: 3 times, y: 2 times
    assert out["i"].tolist() == [[2], [2], [1], [1], [1]]
    assert out["c_X_i"].tolist() == [[cross_hash([c[0], i[0]], 5)] for c, i in zip(out["c"].tolist(),
                                                                                     out["i"].tolist())]
    assert all(v.dtype == torch.int64 for v in out.values())
    one = fs({"s": "A", "c": "y", "i": 8})
    assert one["s"].tolist() == [1] and one["c"].tolist() == [2] and one["i"].tolist() == [1]


def test_float_types_and_one_hot_widths():
    fs = FS(features={"f": "float", "r": FS.float_rescaled(scale=2.0, offset=1.0),
                      "d": FS.float_discretized(num_bins=None, bin_boundaries=[0.0, 1.0]),
                      "h": FS.integer_hashed(num_bins=4)}, output_mode="dict")
    data = {"f": [0.5, -1.0], "r": [1.0, 3.0], "d": [-5.0, 0.5], "h": [1, 2]}
    fs.adapt(data)  # nothing to adapt; still allowed
    out = fs(data)
    assert out["f"].tolist() == [[0.5], [-1.0]] and out["f"].dtype == torch.float32
    assert out["r"].tolist() == [[3.0], [7.0]]
    assert out["d"].tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tuple(out["h"].shape) == (2, 4) and out["h"].sum(-1).tolist() == [1.0, 1.0]
    # No adaptable preprocessor: usable without adapt(), as in Keras.
    fixed = FS(features={"f": "float", "r": "float_rescaled"})
    assert tuple(fixed({"f": [1.0, 2.0], "r": [3.0, 4.0]}).shape) == (2, 2)


def test_custom_feature_with_text_vectorization():
    text = ["1st string", "2nd string", "3rd string"]
    fs = FS(features={"text": FS.feature(preprocessor=kt.layers.TextVectorization(output_mode="tf_idf"),
                                         dtype="string", output_mode="float")}, output_mode="concat")
    fs.adapt({"text": text})
    layer = kt.layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(np.asarray(text).reshape(-1, 1))
    np.testing.assert_allclose(fs({"text": text}).numpy(), layer(np.asarray(text).reshape(-1, 1)).numpy())


def _float_spec(K):
    space = K.utils.FeatureSpace
    return space(features={"f": "float", "n": "float_normalized", "r": space.float_rescaled(2.0, 1.0, name="r"),
                           "d": "float_discretized"}, output_mode="dict", num_discretization_bins=4,
                 crossing_dim=8, hashing_dim=16)


def test_config_matches_real_keras(real_keras):
    keras_config = real_keras.saving.serialize_keras_object(_float_spec(real_keras))
    ours = kt.saving.serialize_keras_object(_float_spec(kt))
    assert {k: ours[k] for k in ("module", "class_name", "registered_name")} == \
        {"module": "keras.utils", "class_name": "FeatureSpace", "registered_name": None}
    assert {k: keras_config[k] for k in ("module", "class_name", "registered_name")} == \
        {k: ours[k] for k in ("module", "class_name", "registered_name")}
    assert list(keras_config["config"]) == list(ours["config"])
    for key in ("output_mode", "crosses", "crossing_dim", "hashing_dim", "num_discretization_bins"):
        assert ours["config"][key] == keras_config["config"][key], key
    for name, spec in keras_config["config"]["features"].items():
        mine = ours["config"]["features"][name]
        assert {k: mine[k] for k in ("module", "class_name", "registered_name")} == \
            {k: spec[k] for k in ("module", "class_name", "registered_name")}
        assert mine["config"]["dtype"] == spec["config"]["dtype"]
        assert mine["config"]["output_mode"] == spec["config"]["output_mode"]
        kp, tp = spec["config"]["preprocessor"], mine["config"]["preprocessor"]
        assert (tp["module"], tp["class_name"], tp["registered_name"]) == \
            (kp["module"], kp["class_name"], kp["registered_name"])
        assert tp["config"]["name"] == kp["config"]["name"]
        assert set(tp["config"]) == set(kp["config"]), name


def test_from_config_round_trip_and_keras_written_config(real_keras):
    config = real_keras.utils.FeatureSpace.get_config(_float_spec(real_keras))
    rebuilt = kt.utils.FeatureSpace.from_config(json.loads(json.dumps(config)))
    assert sorted(rebuilt.features) == ["d", "f", "n", "r"]
    assert rebuilt.preprocessors["d"].num_bins == 4 and rebuilt.preprocessors["r"].scale == 2.0
    again = FS.from_config(rebuilt.get_config())
    assert again.get_config() == rebuilt.get_config()


def test_adapt_from_dataloader_of_dict_batches_equals_dict():
    rng = np.random.default_rng(0)
    data = {"x": rng.normal(size=70).astype("float32"), "c": rng.choice(["a", "b", "c"], size=70)}
    spec = {"x": "float_normalized", "c": "string_categorical"}
    from_dict = FS(features=dict(spec))
    from_dict.adapt(data)
    rows = [{"x": torch.tensor(x), "c": c} for x, c in zip(data["x"], data["c"])]

    def collate(items):
        return ({"x": torch.stack([it["x"] for it in items]), "c": [it["c"] for it in items]},
                torch.zeros(len(items)))

    loader = torch.utils.data.DataLoader(rows, batch_size=16, collate_fn=collate)  # (x, y) batches
    from_loader = FS(features=dict(spec))
    from_loader.adapt(loader)
    assert from_loader.preprocessors["c"].get_vocabulary() == from_dict.preprocessors["c"].get_vocabulary()
    np.testing.assert_allclose(from_loader(data).numpy(), from_dict(data).numpy(), atol=1e-5)
    np.testing.assert_allclose(from_dict.preprocessors["x"].mean.numpy().ravel(), [data["x"].mean()], atol=1e-5)


def test_functional_model_fits_on_dict_data(tmp_path):
    kt.utils.set_random_seed(0)
    fs = _docstring_space()
    fs.adapt(RAW)
    inputs = fs.get_inputs()
    assert {k: v.dtype for k, v in inputs.items()} == \
        {"float_values": "float32", "string_values": "string", "int_values": "int32"}
    encoded = fs.get_encoded_features()
    assert tuple(encoded.shape) == (None, 43)
    outputs = kt.layers.Dense(1, activation="sigmoid")(encoded)
    model = kt.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = {key: np.asarray(value).reshape(-1, 1) for key, value in RAW.items()}
    history = model.fit(x, np.array([0.0, 1.0, 0.0, 1.0]), epochs=2, batch_size=2, verbose=0)
    assert list(history.history) == ["loss"] and len(history.history["loss"]) == 2
    assert model.predict(x, verbose=0).shape == (4, 1)
    # Training on the FeatureSpace's own output (the tf.data `map(feature_space)` pattern).
    dense = kt.Sequential([kt.Input((43,)), kt.layers.Dense(1)])
    dense.compile(optimizer="sgd", loss="mse")
    dense.fit(fs(RAW), np.zeros(4), epochs=1, verbose=0)


# The lookup layers' own config key `vocabulary_size` is reported as ignored on load (not a FeatureSpace matter).
@pytest.mark.filterwarnings("ignore:Ignoring the argument vocabulary_size")
def test_save_and_load_keras_archive(tmp_path):
    fs = FS(features={"n": "float_normalized", "s": "string_categorical", "i": "integer_categorical",
                      "d": FS.float_discretized(num_bins=3)}, crosses=[("s", "i")], crossing_dim=7)
    data = {"n": [1.0, 2.0, 4.0, 8.0, 3.0], "s": ["a", "b", "a", "c", "a"], "i": [5, 6, 5, 5, 9],
            "d": [0.1, 0.5, 0.9, 0.2, 0.7]}
    fs.adapt(data)
    expected = fs(data)
    path = tmp_path / "featurespace.keras"
    fs.save(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        assert any(name.endswith("vocabulary.txt") for name in zf.namelist())
    assert (config["module"], config["class_name"]) == ("keras.utils", "FeatureSpace")
    assert sorted(config["build_config"]) == ["d", "i", "n", "s"]
    reloaded = kt.models.load_model(path)
    assert isinstance(reloaded, FS)
    np.testing.assert_allclose(reloaded(data).numpy(), expected.numpy(), atol=1e-6)
    assert reloaded.preprocessors["s"].get_vocabulary() == fs.preprocessors["s"].get_vocabulary()


def test_errors_say_what_was_received():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FS(features={})
    with pytest.raises(ValueError, match="Invalid feature type: 'floaty'"):
        FS(features={"x": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        FS(features={"x": "float"}, crosses=[("x", "y")])
    with pytest.raises(ValueError, match="output_mode"):
        FS(features={"x": "float"}, output_mode="list")
    with pytest.raises(ValueError, match="output_mode"):
        FS.cross(("a", "b"), crossing_dim=4, output_mode="float")
    fs = FS(features={"x": "float_normalized"})
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`"):
        fs({"x": [1.0]})
    with pytest.raises(ValueError, match="dict of arrays/lists or an iterable"):
        fs.adapt(np.zeros(3))
    fs.adapt({"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        fs([1.0, 2.0])
    with pytest.raises(ValueError, match=r"no feature\(s\) \['x'\]"):
        fs({"y": [1.0]})
    with pytest.raises(ValueError, match="should return an integer dtype"):
        FS(features={"x": FS.feature("float32", kt.layers.Rescaling(1.0), "one_hot")})({"x": [1.0]})
    with pytest.raises(ValueError, match="Cannot concatenate features"):
        FS(features={"x": FS.integer_hashed(4, output_mode="int")})({"x": [1]})


def test_exported_as_keras_utils_name():
    from kerastorch._unsupported import UNSUPPORTED
    assert "keras.utils.FeatureSpace" not in UNSUPPORTED
    assert FS.__name__ == "FeatureSpace" and "FeatureSpace" in kt.utils.__all__
    assert not hasattr(kt.layers, "FeatureSpace")  # Keras exports it from keras.utils only
