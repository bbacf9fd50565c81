"""Freezing (Keras 3's frozen-BatchNormalization rule), freeze/unfreeze, discriminative LRs, fine_tune."""
from __future__ import annotations

import numpy as np
import pytest
import torch


def _data(n=64, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, d)) * 3 + 2).astype("float32")  # far from BN's initial moving stats
    y = rng.integers(0, classes, size=n)
    return x, y


def _net(keras, optimizer="adam", bn=True):
    keras.utils.set_random_seed(0)
    layers = [keras.Input(shape=(6,)), keras.layers.Dense(8, name="d1")]
    if bn:
        layers.append(keras.layers.BatchNormalization(name="bn"))
    layers += [keras.layers.Dense(8, activation="relu", name="d2"), keras.layers.Dense(3, activation="softmax",
                                                                                        name="head")]
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def _copy(tensors):
    return [t.detach().clone() for t in tensors]


def test_frozen_batch_norm_runs_in_inference_mode(keras):
    bn = keras.layers.BatchNormalization()
    x = torch.randn(32, 5) * 4 + 3
    bn(x, training=True)  # build and move the stats a little
    bn.trainable = False
    mean, var = bn.moving_mean.clone(), bn.moving_variance.clone()
    np.testing.assert_allclose(bn(x, training=True).numpy(), bn(x, training=False).numpy(), rtol=1e-6)
    assert torch.equal(bn.moving_mean, mean) and torch.equal(bn.moving_variance, var)
    bn.trainable = True
    assert not np.allclose(bn(x, training=True).detach().numpy(), bn(x, training=False).detach().numpy())


def test_trainable_false_on_a_model_freezes_weights_and_bn_stats_in_fit(keras):
    x, y = _data()
    base = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8), keras.layers.BatchNormalization()],
                            name="base")
    model = keras.Sequential([keras.Input(shape=(6,)), base, keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    base.trainable = False
    frozen = _copy(base.weights)
    head = _copy(model.layers[-1].weights)
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert all(torch.equal(a, b) for a, b in zip(frozen, base.weights))  # incl. moving mean / variance
    assert not all(torch.equal(a, b) for a, b in zip(head, model.layers[-1].weights))


def test_freeze_defaults_to_all_but_the_head_with_train_bn(keras):
    model = _net(keras)
    model.freeze()
    flags = {l.name: l.trainable for l in model.layers}
    assert flags == {"d1": False, "bn": True, "d2": False, "head": True}
    names = {id(p) for p in model.trainable_weights}
    assert names == {id(p) for l in (model.get_layer("bn"), model.get_layer("head")) for p in l.parameters()}
    model.freeze(train_bn=False)
    assert {l.name: l.trainable for l in model.layers} == {"d1": False, "bn": False, "d2": False, "head": True}
    model.freeze(up_to="d2")  # layers before d2 frozen; d2 and after trainable
    assert {l.name: l.trainable for l in model.layers} == {"d1": False, "bn": True, "d2": True, "head": True}
    model.freeze(up_to=1, train_bn=False)  # index into model.layers: bn
    assert {l.name: l.trainable for l in model.layers} == {"d1": False, "bn": True, "d2": True, "head": True}
    model.freeze(up_to=model.get_layer("head"), train_bn=False)
    assert [l.trainable for l in model.layers] == [False, False, False, True]
    model.unfreeze()
    assert all(l.trainable for l in model.layers) and len(model.trainable_weights) == 8
    with pytest.raises(ValueError, match="No layer named"):
        model.freeze(up_to="nope")


def test_freeze_train_bn_decides_whether_bn_statistics_move_in_fit(keras):
    x, y = _data()
    for train_bn in (False, True):
        model = _net(keras)
        model.freeze(train_bn=train_bn)
        bn = model.get_layer("bn")
        stats = _copy([bn.moving_mean, bn.moving_variance, bn.gamma])
        d1 = _copy(model.get_layer("d1").weights)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        moved = not all(torch.equal(a, b) for a, b in zip(stats, [bn.moving_mean, bn.moving_variance, bn.gamma]))
        assert moved == train_bn
        assert all(torch.equal(a, b) for a, b in zip(d1, model.get_layer("d1").weights))


def test_freeze_looks_into_nested_models(keras):
    base = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8, name="b1"),
                             keras.layers.BatchNormalization(name="b_bn"), keras.layers.Dense(8, name="b2")],
                            name="base")
    model = keras.Sequential([keras.Input(shape=(6,)), base, keras.layers.Dense(3, name="top")])
    model.compile("adam", "mse")
    model.freeze()
    assert [l.trainable for l in base.layers] == [False, True, False] and model.get_layer("top").trainable
    model.freeze(up_to="b2", train_bn=False)
    assert [l.trainable for l in base.layers] == [False, False, True]
    model.freeze(up_to="top", train_bn=False)
    assert not base.trainable and model.trainable


def test_layer_groups_and_geometric_factors(keras):
    model = _net(keras)
    groups = model.set_layer_group_lrs(3, lr_mult=100)
    assert groups == pytest.approx([0.01, 0.1, 1.0])
    from kerastorch.trainer.fine_tuning import layer_groups
    assert [[l.name for l in g] for g in layer_groups(model, 3)] == [["d1", "bn"], ["d2"], ["head"]]
    assert [[l.name for l in g] for g in layer_groups(model, 2)] == [["d1", "bn", "d2"], ["head"]]
    mult = model.optimizer.lr_multipliers
    assert mult[id(model.get_layer("d1").kernel)] == pytest.approx(0.01)
    assert mult[id(model.get_layer("head").kernel)] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="factors"):
        model.set_layer_group_lrs(3, lrs=[1.0, 2.0])


def test_each_group_moves_with_its_own_learning_rate(keras):
    x, y = _data(n=32)
    model = _net(keras, keras.optimizers.SGD(learning_rate=0.5), bn=False)
    factors = model.set_layer_group_lrs([["d1"], "d2", model.get_layer("head")], lrs=[0.01, 0.1, 1.0])
    params = model.trainable_weights
    before = _copy(params)
    model.train()
    loss = keras.losses.SparseCategoricalCrossentropy()(torch.as_tensor(y), model(torch.as_tensor(x), training=True))
    grads = torch.autograd.grad(loss, params)
    model.eval()
    model.train_on_batch(x, y)
    owner = {id(p): l.name for l in model.layers for p in l.parameters()}
    factor_of = dict(zip(["d1", "d2", "head"], factors))
    for p, b, g in zip(params, before, grads):
        step = (p.detach() - b)
        expected = -0.5 * factor_of[owner[id(p)]] * g
        torch.testing.assert_close(step, expected, rtol=1e-4, atol=1e-7)
    # Update sizes: the ratio of the (normalised) steps is the ratio of the learning rates.
    size = {name: float(sum(((p.detach() - b) / g.abs().clamp_min(1e-12)).abs().max()
                            for p, b, g in zip(params, before, grads) if owner[id(p)] == name))
            for name in factor_of}
    assert size["head"] / size["d1"] == pytest.approx(100, rel=1e-3)


def test_optimizer_state_survives_unfreeze(keras):
    x, y = _data(n=32)
    opt = keras.optimizers.Adam(learning_rate=1e-2)
    model = _net(keras, opt, bn=False)
    model.freeze()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # builds Adam's slots for the head only
    head_kernel = model.get_layer("head").kernel
    state = opt.get_state()
    assert state["momentum/0"].shape == head_kernel.shape and int(opt.iterations) == 2
    m_old, v_old = state["momentum/0"], state["velocity/0"]
    slot_obj = opt._slots["momentum"][0]

    model.unfreeze()
    model.train()
    loss = keras.losses.SparseCategoricalCrossentropy()(torch.as_tensor(y), model(torch.as_tensor(x), training=True))
    g = torch.autograd.grad(loss, [head_kernel])[0]
    model.eval()
    model.train_on_batch(x, y)
    after = opt.get_state()
    assert int(opt.iterations) == 3  # the count goes on
    assert opt._slots["momentum"][0] is slot_obj  # same slot tensor, same index
    torch.testing.assert_close(after["momentum/0"], 0.9 * m_old + 0.1 * g, rtol=1e-5, atol=1e-8)
    torch.testing.assert_close(after["velocity/0"], 0.999 * v_old + 0.001 * g * g, rtol=1e-5, atol=1e-10)
    assert len([k for k in after if k.startswith("momentum/")]) == len(model.trainable_weights)


def test_fine_tune_runs_both_phases(keras):
    x, y = _data()
    model = _net(keras, keras.optimizers.AdamW(weight_decay=0.01))
    history = model.fine_tune(x, y, epochs=2, freeze_epochs=1, base_lr=1e-2, batch_size=16, verbose=0,
                              validation_split=0.25)
    assert history.epoch == [0, 1, 2] and len(history.history["val_loss"]) == 3
    assert all(l.trainable for l in model.layers)
    lrs = history.history["learning_rate"]
    assert lrs[-1] < 1e-4  # annealed at the end of the second cycle
    mult = model.optimizer.lr_multipliers
    assert mult[id(model.get_layer("d1").kernel)] == pytest.approx(0.01)
    # Weight decay skips the 1-D weights of layers unfrozen in phase 2 as well.
    assert not model.optimizer._use_weight_decay(model.get_layer("d1").bias)
    assert model.optimizer._use_weight_decay(model.get_layer("d1").kernel)


def test_freeze_then_unfreeze_keeps_biases_out_of_weight_decay(keras):
    x, y = _data(n=32)
    model = _net(keras, keras.optimizers.AdamW(weight_decay=0.1))
    model.freeze(train_bn=False)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    model.unfreeze()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    opt = model.optimizer
    assert not opt._use_weight_decay(model.get_layer("d1").bias)
    assert not opt._use_weight_decay(model.get_layer("bn").gamma)
    assert opt._use_weight_decay(model.get_layer("d1").kernel)
