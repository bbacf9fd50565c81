"""CategoryEncoding and Discretization against real Keras 3 on the same inputs (values, dtypes, shapes,
configs, adapt's learned boundaries), in eager calls and inside fitted models."""
import os

import numpy as np
import pytest
import torch

import kerastorch as kt

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)


def _same(ours, theirs):
    theirs = keras.ops.convert_to_numpy(theirs)
    ours = ours.detach().cpu().numpy()
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, (ours.shape, theirs.shape, ours.dtype,
                                                                       theirs.dtype)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def _config(layer):
    """The layer's config without `name` (auto-numbered per library) and `dtype` (a policy dict in Keras 3)."""
    return {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype")}


@pytest.mark.parametrize("output_mode", ["multi_hot", "one_hot", "count", "binary"])
@pytest.mark.parametrize("inputs", [[3, 2, 0, 1], [[0, 1], [0, 0], [1, 2], [3, 1]], [[1], [3], [0]], 2])
def test_category_encoding(output_mode, inputs):
    kwargs = dict(num_tokens=4, output_mode=output_mode)
    if output_mode == "one_hot" and np.ndim(inputs) == 2 and np.shape(inputs)[-1] != 1:
        pytest.skip("Keras one_hot on rank-2 ids is rank-3, covered by the [[1], [3], [0]] case's shape rule")
    _same(kt.layers.CategoryEncoding(**kwargs)(inputs), keras.layers.CategoryEncoding(**kwargs)(np.array(inputs)))
    assert _config(kt.layers.CategoryEncoding(**kwargs)) == _config(keras.layers.CategoryEncoding(**kwargs))


def test_category_encoding_count_weights_and_errors():
    ids, weights = np.array([[0, 1], [0, 0], [1, 2], [3, 1]]), np.array([[.1, .2], [.1, .1], [.2, .3], [.4, .2]])
    ours = kt.layers.CategoryEncoding(4, output_mode="count")(ids, count_weights=weights)
    _same(ours, keras.layers.CategoryEncoding(4, output_mode="count")(ids, count_weights=weights))
    with pytest.raises(ValueError, match="count_weights"):
        kt.layers.CategoryEncoding(4)(ids, count_weights=weights)
    for bad, match in ((dict(num_tokens=None), "num_tokens must be set"), (dict(num_tokens=0), ">= 1"),
                       (dict(num_tokens=3, output_mode="tf_idf"), "output_mode")):
        with pytest.raises(ValueError, match=match):
            kt.layers.CategoryEncoding(**bad)


@pytest.mark.parametrize("output_mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_with_boundaries(output_mode):
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], dtype="float32")
    kwargs = dict(bin_boundaries=[0.0, 1.0, 2.0], output_mode=output_mode)
    _same(kt.layers.Discretization(**kwargs)(x), keras.layers.Discretization(**kwargs)(x))


def _keras_adapt(layer, batches):
    """What Keras's `adapt` does with arrays and iterables (its type checks import TensorFlow first)."""
    layer.reset_state()
    for batch in batches:
        layer.update_state(batch)
    layer.finalize_state()


@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (5, 0.1), (3, 0.001)])
def test_discretization_adapt_learns_keras_boundaries(num_bins, epsilon):
    data = RNG.normal(size=(300, 3)).astype("float32")
    ours, theirs = (kt.layers.Discretization(num_bins=num_bins, epsilon=epsilon),
                    keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon))
    ours.adapt(data)
    _keras_adapt(theirs, [data])
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    batches = [data[:100], data[100:250], data[250:]]  # streaming adapt merges summaries batch by batch
    ours.adapt(iter(batches))
    _keras_adapt(theirs, batches)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    _same(ours(data[:5]), theirs(data[:5]))
    assert _config(ours).keys() == _config(theirs).keys()
    assert ours.get_config()["bin_boundaries"] == pytest.approx(theirs.get_config()["bin_boundaries"])
    rebuilt = kt.layers.Discretization.from_config(ours.get_config())
    assert rebuilt.bin_boundaries == ours.bin_boundaries and rebuilt.num_bins == num_bins


def test_discretization_errors_match_keras():
    for kwargs in (dict(), dict(num_bins=2, bin_boundaries=[0.0]), dict(num_bins=-1),
                   dict(bin_boundaries=[0.0], output_mode="tf_idf")):
        with pytest.raises(ValueError):
            keras.layers.Discretization(**kwargs)
        with pytest.raises(ValueError):
            kt.layers.Discretization(**kwargs)
    with pytest.raises(ValueError, match="num_bins"):
        kt.layers.Discretization(bin_boundaries=[0.0]).adapt(np.zeros(3))
    with pytest.raises(ValueError, match="adapt"):
        kt.layers.Discretization(num_bins=3)(np.zeros(3))


def test_in_a_model_that_trains_and_saves(tmp_path):
    kt.utils.set_random_seed(0)
    x = RNG.normal(size=(64, 1)).astype("float32")
    y = (x[:, 0] > 0.3).astype("float32")
    bins = kt.layers.Discretization(num_bins=8)
    bins.adapt(x)
    inputs = kt.Input((1,))
    ids = bins(inputs)
    encoded = kt.layers.CategoryEncoding(num_tokens=8, output_mode="one_hot")(ids)
    model = kt.Model(inputs, kt.layers.Dense(1, activation="sigmoid")(encoded))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    restored = kt.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert restored.layers[1].bin_boundaries == pytest.approx(bins.bin_boundaries)
    assert isinstance(model.predict(x[:2], verbose=0), np.ndarray) and torch.is_tensor(ids) is False
