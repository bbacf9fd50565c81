"""predict/evaluate: batching, eval mode and the state they leave for fit."""
import numpy as np
import pytest
import torch


def test_predict_batches_equal_one_call(tiny_model):
    model, x, _ = tiny_model
    whole = model(torch.from_numpy(x), training=False).detach().numpy()
    for batch_size in (1, 7, 64, 100):  # uneven last batch, one batch, batch larger than the data
        np.testing.assert_allclose(model.predict(x, batch_size=batch_size, verbose=0), whole, rtol=1e-5, atol=1e-6)


def test_evaluate_on_slices_equals_sample_weighted_mean(tiny_model):
    model, x, y = tiny_model
    probs = model.predict(x, verbose=0)
    expected = -np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-7, 1.0)))
    assert model.evaluate(x, y, batch_size=10, verbose=0)[0] == pytest.approx(expected, rel=1e-5)


def test_predict_switches_a_layer_left_in_training_mode_to_inference(keras):
    model = keras.Sequential([keras.Input(shape=(16,)), keras.layers.Dropout(0.5)])
    model.compile(loss="mse")
    model.layers[0].train()  # only the sub-layer, as torch code sometimes leaves it
    x = np.ones((8, 16), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert not any(m.training for m in model.modules())


def test_predict_before_fit_keeps_regularization_in_training(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)),
                              keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(10.0))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    model.predict(x, verbose=0)
    mse = float(np.mean(model.predict(x, verbose=0) ** 2))
    penalty = 10.0 * float((model.layers[0].kernel.detach() ** 2).sum())
    logs = model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False).history
    assert logs["loss"][0] == pytest.approx(mse + penalty, rel=1e-5)


def test_sequential_input_shape_error_names_the_model(tiny_model):
    model, _, _ = tiny_model
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(2, 5\)"):
        model.predict(np.ones((2, 5), "float32"), verbose=0)


def test_predict_batch_hooks_see_every_batch_and_its_outputs(tiny_model, keras):
    model, x, _ = tiny_model
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            seen.append((batch, tuple(logs["outputs"].shape)))

    out = model.predict(x, batch_size=30, verbose=0, callbacks=[Recorder()])
    assert seen == [(0, (30, 3)), (1, (30, 3)), (2, (4, 3))]
    np.testing.assert_allclose(out, model.predict(x, batch_size=30, verbose=0))
