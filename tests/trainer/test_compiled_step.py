"""jit_compile=True: the built-in train step compiled as one graph, against the eager step."""
import warnings

import numpy as np
import pytest
import torch


def _build(keras, jit, dropout=0.0):
    keras.utils.set_random_seed(0)
    layers = [keras.Input(shape=(5,)), keras.layers.Dense(8, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(3, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")


def test_compiled_step_trains_like_the_eager_step(keras):
    # Adam + a transposed-layout kernel gradient: the case that once updated the wrong elements.
    x, y = _data()
    eager, jit = _build(keras, False), _build(keras, True)
    h_eager = eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history  # last batch of 8
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no fallback to eager
        h_jit = jit.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(h_jit[key], h_eager[key], rtol=1e-5)
    for a, b in zip(eager.get_weights(), jit.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_compiled_step_runs_dropout(keras):
    x, y = _data()
    model = _build(keras, True, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        history = model.fit(x, y, batch_size=20, epochs=2, verbose=0).history
    assert np.isfinite(history["loss"]).all()


def test_recurrent_models_train_eagerly_with_a_warning(keras):
    model = keras.Sequential([keras.Input(shape=(4, 2)), keras.layers.LSTM(3), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    with pytest.warns(UserWarning, match='LSTM "lstm".*runs eagerly'):
        model.fit(np.ones((8, 4, 2), "float32"), np.zeros((8, 1), "float32"), epochs=1, verbose=0)


def test_compiled_gradients_reach_adam_in_the_weights_layout(keras):
    # A layer that uses its kernel through a transposed copy (as the recurrent layers' fused
    # path does): the compiled graph returns that gradient transposed in memory.
    class TransposedDense(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], 3))

        def call(self, inputs):
            return torch.softmax(inputs @ self.kernel.t().contiguous().t(), dim=-1)

    def build(jit):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(5,)), TransposedDense()])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=jit)
        return model

    x, y = _data()
    eager, jit = build(False), build(True)
    eager.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    jit.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(jit.get_weights()[0], eager.get_weights()[0], atol=1e-6)


@pytest.mark.parametrize("make_optimizer", [
    # the update runs inside the graph until a callback changes the learning rate
    lambda keras: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    # per-step momentum numbers: the update runs eagerly after the compiled gradients
    lambda keras: keras.optimizers.Nadam(0.01),
], ids=["sgd-lr-changed-by-callback", "nadam"])
def test_optimizer_updates_match_the_eager_step(keras, make_optimizer):
    x, y = _data()

    def build(jit):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=make_optimizer(keras), loss="sparse_categorical_crossentropy", jit_compile=jit)
        return model

    halve = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
    eager, jit = build(False), build(True)
    eager.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[halve])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        jit.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, callbacks=[halve])
    for a, b in zip(eager.get_weights(), jit.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert float(jit.optimizer.learning_rate) == pytest.approx(float(eager.optimizer.learning_rate))


def test_functional_model_with_state_masks_regularizers_and_two_outputs(keras):
    # What the gradient transform makes delicate: BatchNormalization's moving statistics, a mask,
    # a kernel regularizer read after the forward pass, per-output loss trackers, add_loss.
    layers = keras.layers

    class Penalty(layers.Layer):
        def call(self, x):
            self.add_loss(0.01 * torch.mean(x ** 2))
            return x

    rng = np.random.default_rng(0)
    ids = rng.integers(1, 20, size=(30, 6)).astype("int32")
    ids[:, 4:] = 0
    feats = rng.normal(size=(30, 3)).astype("float32")
    targets = {"value": rng.normal(size=(30, 1)).astype("float32"), "label": rng.integers(0, 2, 30)}

    def build(jit):
        keras.utils.set_random_seed(0)
        seq, num = keras.Input(shape=(6,), dtype="int32"), keras.Input(shape=(3,))
        h1 = layers.GlobalAveragePooling1D()(layers.Embedding(20, 4, mask_zero=True)(seq))
        h2 = layers.BatchNormalization()(layers.Dense(4, kernel_regularizer="l2")(num))
        h = Penalty()(layers.Concatenate()([h1, h2]))
        model = keras.Model([seq, num], [layers.Dense(1, name="value")(h),
                                         layers.Dense(2, activation="softmax", name="label")(h)])
        model.compile(optimizer="sgd", loss={"value": "mse", "label": "sparse_categorical_crossentropy"},
                      metrics={"label": ["accuracy"]}, jit_compile=jit)
        return model

    eager, jit = build(False), build(True)
    h_eager = eager.fit([ids, feats], targets, batch_size=10, epochs=2, shuffle=False, verbose=0).history
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        h_jit = jit.fit([ids, feats], targets, batch_size=10, epochs=2, shuffle=False, verbose=0).history
    assert set(h_jit) == set(h_eager) == {"loss", "value_loss", "label_loss", "label_accuracy"}
    for key in h_eager:
        np.testing.assert_allclose(h_jit[key], h_eager[key], rtol=1e-5)
    for a, b in zip(eager.get_weights(), jit.get_weights()):  # incl. the moving statistics
        np.testing.assert_allclose(a, b, atol=1e-6)
