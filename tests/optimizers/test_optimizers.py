"""Optimizers against step-by-step numpy implementations of the Keras 3 formulas."""
import json
import math
import warnings

import numpy as np
import pytest
import torch
from reference_fixtures import FIXTURE_DIR

from kerastorch import losses, optimizers
from kerastorch.optimizers import schedules

W0 = np.array([1.0, -2.0, 0.5, 3.0])
C = np.array([1.0, 0.5, 2.0, -1.0])  # loss = sum(C * w**2) / 2  ->  grad = C * w
ATOL, RTOL = 2e-5, 1e-4


def run_torch(opt, steps=3, w0=W0):
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float32))
    c = torch.tensor(C, dtype=torch.float32)
    for _ in range(steps):
        loss = (c * p * p).sum() / 2
        loss.backward()
        opt.apply(None, [p])  # the trainer's fast path
        p.grad = None
    return p.detach().numpy().astype(np.float64)


def run_numpy(step_fn, steps=3, w0=W0):
    w, state = w0.copy(), {}
    for t in range(1, steps + 1):
        w = step_fn(w, C * w, t, state)
    return w


def sgd_ref(lr, momentum=0.0, nesterov=False):
    def step(w, g, t, s):
        if momentum == 0:
            return w - lr * g
        m = momentum * s.get("m", 0.0) - lr * g
        s["m"] = m
        return w + (momentum * m - lr * g if nesterov else m)
    return step


def adam_ref(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    def step(w, g, t, s):
        if wd is not None:
            w = w - w * wd * lr
        m = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        s["m"], s["v"] = m, v
        if amsgrad:
            v = s["vh"] = np.maximum(s.get("vh", 0.0), v)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - alpha * m / (np.sqrt(v) + eps)
    return step


def rmsprop_ref(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def step(w, g, t, s):
        v = s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
        if centered:
            a = s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denom = v - a * a + eps
        else:
            denom = v + eps
        inc = lr * g / np.sqrt(denom)
        if momentum > 0:
            inc = s["mom"] = momentum * s.get("mom", 0.0) + inc
        return w - inc
    return step


def adagrad_ref(lr, init=0.1, eps=1e-7):
    def step(w, g, t, s):
        acc = s["acc"] = s.get("acc", init) + g * g
        return w - lr * g / np.sqrt(acc + eps)
    return step


def adadelta_ref(lr, rho=0.95, eps=1e-7):
    def step(w, g, t, s):
        ag = s["ag"] = rho * s.get("ag", 0.0) + (1 - rho) * g * g
        delta = -np.sqrt(s.get("ad", 0.0) + eps) * g / np.sqrt(ag + eps)
        s["ad"] = rho * s.get("ad", 0.0) + (1 - rho) * delta * delta
        return w + lr * delta
    return step


def adamax_ref(lr, b1=0.9, b2=0.999, eps=1e-7):
    def step(w, g, t, s):
        m = s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        u = s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
        return w - lr * m / ((1 - b1 ** t) * (u + eps))
    return step


def nadam_ref(lr, b1=0.9, b2=0.999, eps=1e-7):
    def step(w, g, t, s):
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        up = s["up"] = s.get("up", 1.0) * u_t
        up1 = up * u_t1
        m = s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        v = s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        m_hat = u_t1 * m / (1 - up1) + (1 - u_t) * g / (1 - up)
        v_hat = v / (1 - b2 ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return step


def lion_ref(lr, b1=0.9, b2=0.99):
    def step(w, g, t, s):
        m = s.get("m", 0.0)
        w = w - lr * np.sign(b1 * m + (1 - b1) * g)
        s["m"] = b2 * m + (1 - b2) * g
        return w
    return step


@pytest.mark.parametrize("make_opt, ref", [
    (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9), sgd_ref(0.1, 0.9)),
    (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), sgd_ref(0.1, 0.9, True)),
    (lambda: optimizers.SGD(learning_rate=0.1), sgd_ref(0.1)),
    (lambda: optimizers.Adam(learning_rate=0.01), adam_ref(0.01)),
    (lambda: optimizers.Adam(learning_rate=0.01, amsgrad=True), adam_ref(0.01, amsgrad=True)),
    (lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1), adam_ref(0.01, wd=0.1)),
    (lambda: optimizers.RMSprop(learning_rate=0.01), rmsprop_ref(0.01)),
    (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
     rmsprop_ref(0.01, momentum=0.5, centered=True)),
    (lambda: optimizers.Adagrad(learning_rate=0.1), adagrad_ref(0.1)),
    (lambda: optimizers.Adadelta(learning_rate=1.0), adadelta_ref(1.0)),
    (lambda: optimizers.Adamax(learning_rate=0.01), adamax_ref(0.01)),
    (lambda: optimizers.Nadam(learning_rate=0.01), nadam_ref(0.01)),
    (lambda: optimizers.Lion(learning_rate=0.01), lion_ref(0.01)),
])
def test_three_steps_match_keras_formulas(make_opt, ref):
    np.testing.assert_allclose(run_torch(make_opt()), run_numpy(ref), atol=ATOL, rtol=RTOL)


def test_rmsprop_keras_docstring_value():
    # keras.optimizers.RMSprop docstring: var1 = 10, loss = var1**2 / 2, lr=0.1 -> 9.683772
    opt = optimizers.RMSprop(learning_rate=0.1)
    var = torch.nn.Parameter(torch.tensor(10.0))
    opt.minimize(lambda: var ** 2 / 2.0, [var])
    assert abs(float(var.detach()) - 9.683772) < 1e-5


def test_defaults_and_names():
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Adadelta().rho == 0.95 and float(optimizers.Adadelta().learning_rate) == pytest.approx(1e-3)
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.Adam().epsilon == 1e-7 and optimizers.RMSprop().rho == 0.9
    assert float(optimizers.SGD().learning_rate) == pytest.approx(0.01)
    # Keras 3 auto-names from the snake-cased class name, made unique per session (adam, adam_1, ...).
    assert optimizers.Adam().name.rstrip("_0123456789") == "adam"
    assert optimizers.SGD().name.rstrip("_0123456789") == "sgd"
    assert optimizers.AdamW().name.rstrip("_0123456789") == "adam_w"


def test_clipnorm_global_clipnorm_clipvalue():
    def one_step(opt, grads):
        ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        opt.apply(grads, ps)
        return [p.detach() for p in ps]

    g1, g2 = torch.tensor([3.0, 4.0]), torch.tensor([0.3, 0.4])
    (p1, p2) = one_step(optimizers.SGD(learning_rate=1.0, clipnorm=1.0), [g1, g2])
    assert torch.allclose(p1, torch.tensor([-0.6, -0.8])) and torch.allclose(p2, -g2)  # per variable
    (p1, p2) = one_step(optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0), [g1, g2])
    norm = math.sqrt(25 + 0.25)
    assert torch.allclose(p1, -g1 / norm, atol=1e-6) and torch.allclose(p2, -g2 / norm, atol=1e-6)
    (p1,) = one_step(optimizers.SGD(learning_rate=1.0, clipvalue=0.5), [torch.tensor([3.0, -4.0, 0.1])])
    assert torch.allclose(p1, torch.tensor([-0.5, 0.5, -0.1]))
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_and_exclusion():
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    kernel = torch.nn.Parameter(torch.ones(2))
    bias = torch.nn.Parameter(torch.ones(2))
    bias.path = "dense/bias"
    other = torch.nn.Parameter(torch.ones(2))
    opt.exclude_from_weight_decay(var_list=[other], var_names=["bias"])
    zeros = [torch.zeros(2)] * 3
    opt.apply(zeros, [kernel, bias, other])
    assert torch.allclose(kernel, torch.full((2,), 0.95))  # p -= p * wd * lr, before the update
    assert torch.equal(bias.detach(), torch.ones(2)) and torch.equal(other.detach(), torch.ones(2))


def test_learning_rate_settable_between_steps():
    opt = optimizers.SGD(learning_rate=0.1)
    p = torch.nn.Parameter(torch.zeros(1))
    opt.apply([torch.ones(1)], [p])
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == pytest.approx(0.5)
    opt.apply([torch.ones(1)], [p])
    opt.learning_rate.fill_(0.25)  # in-place edits (K.set_value) are seen too
    opt.apply([torch.ones(1)], [p])
    assert float(p.detach()) == pytest.approx(-0.85)
    assert int(opt.iterations) == 3
    sched = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 1, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        sched.learning_rate = 0.1


def test_schedule_drives_the_step():
    opt = optimizers.SGD(learning_rate=schedules.PiecewiseConstantDecay([1], [1.0, 0.1]))
    p = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):  # steps 0, 1 use 1.0; step 2 uses 0.1
        opt.apply([torch.ones(1)], [p])
    assert float(p.detach()) == pytest.approx(-2.1)
    assert float(opt.learning_rate) == pytest.approx(0.1)


def test_state_round_trip_is_bit_exact():
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(3, 2)), torch.nn.Parameter(torch.randn(2))]

    def step(opt, ps, k):
        g = torch.Generator().manual_seed(k)
        grads = [torch.randn(p.shape, generator=g) for p in ps]
        opt.apply(grads, ps)

    opt = optimizers.Nadam(learning_rate=0.01)
    for k in range(3):
        step(opt, params, k)
    saved_state = opt.get_state()
    saved_params = [p.detach().clone() for p in params]
    for k in range(3, 5):
        step(opt, params, k)
    expected = [p.detach().clone() for p in params]

    restored = [torch.nn.Parameter(t.clone()) for t in saved_params]
    fresh = optimizers.Nadam(learning_rate=0.01)
    fresh.set_state(saved_state)  # before build: applied when the variables are known
    for k in range(3, 5):
        step(fresh, restored, k)
    assert int(fresh.iterations) == 5
    for a, b in zip(restored, expected):
        assert torch.equal(a.detach(), b)
    for key, value in opt.state_dict().items():
        assert torch.equal(value, fresh.state_dict()[key]), key


def test_new_variables_get_state_and_schedule_swap_keeps_restore_working():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = optimizers.SGD(learning_rate=1.0, momentum=0.5)
    opt.apply([torch.ones(1)], [a])
    opt.apply([torch.ones(1), torch.ones(1)], [a, b])  # b is new: fresh momentum (Keras would raise)
    assert float(a.detach()) == pytest.approx(-2.5) and float(b.detach()) == pytest.approx(-1.0)
    state = opt.get_state()
    opt.learning_rate = schedules.ExponentialDecay(1.0, 10, 0.5)
    opt.set_state(state)  # the saved float learning rate no longer applies, the rest restores
    assert int(opt.iterations) == 2 and "learning_rate" not in opt.get_state()


def test_variables_order_follows_keras():
    a, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))
    opt = optimizers.Adam()
    opt.build([a, b])
    shapes = [tuple(v.shape) for v in opt.variables]
    assert shapes == [(), (), (2,), (2,), (3,), (3,)]  # iteration, lr, m0, v0, m1, v1 (Keras 3.15)
    assert list(opt.get_state())[:4] == ["iterations", "learning_rate", "momentum/0", "velocity/0"]
    rmsprop = optimizers.RMSprop(momentum=0.5)
    rmsprop.build([a, b])  # slots added by separate calls follow one another
    assert list(rmsprop.get_state())[2:] == ["velocity/0", "velocity/1", "momentum/0", "momentum/1"]
    adamax = optimizers.Adamax()
    adamax.build([a, b])
    assert list(adamax.get_state())[2:] == ["momentum/0", "norm/0", "momentum/1", "norm/1"]
    sched = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9), momentum=0.5)
    sched.build([a])
    assert list(sched.get_state()) == ["iterations", "momentum/0"]


def test_missing_gradients_are_skipped():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = optimizers.SGD(learning_rate=1.0)
    a.grad = torch.ones(1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply(None, [a, b])
    assert float(a.detach()) == -1.0 and float(b.detach()) == 0.0
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply([None, None], [a, b])
    opt.apply_gradients(zip([torch.ones(1), torch.ones(1)], [a, b]))
    assert float(a.detach()) == -2.0 and float(b.detach()) == -1.0


def test_lr_multipliers():
    slow, fast = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    frozen = torch.nn.Linear(1, 1)
    opt = optimizers.SGD(learning_rate=0.1)
    opt.set_lr_multipliers({slow: 0.5, fast: 2.0, frozen: 0.0})
    before = [p.detach().clone() for p in frozen.parameters()]
    params = [slow, fast, *frozen.parameters()]
    opt.apply([torch.ones_like(p) for p in params], params)
    assert float(slow.detach()) == pytest.approx(-0.05) and float(fast.detach()) == pytest.approx(-0.2)
    assert all(torch.equal(p.detach(), q) for p, q in zip(frozen.parameters(), before))


def test_keras2_lr_and_decay_arguments():
    with pytest.warns(DeprecationWarning):
        opt = optimizers.SGD(lr=1.0, decay=1.0)
    p = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):  # lr / (1 + decay * iterations): 1, 1/2, 1/3
        opt.apply([torch.ones(1)], [p])
    assert float(p.detach()) == pytest.approx(-(1 + 1 / 2 + 1 / 3), rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizers.Adam(decay=0.0)  # Keras 2 configs always carry decay=0.0: no warning
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(foo=1)


def test_gradient_accumulation():
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    p = torch.nn.Parameter(torch.zeros(1))
    opt.apply([torch.tensor([1.0])], [p])
    assert float(p.detach()) == 0.0
    opt.apply([torch.tensor([3.0])], [p])
    assert float(p.detach()) == -2.0 and int(opt.iterations) == 1


def test_ema_and_loss_scale():
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5, loss_scale_factor=4.0)
    p = torch.nn.Parameter(torch.zeros(1))
    opt.apply([torch.tensor([4.0])], [p])  # unscaled grad 1 -> p = -1, average = -1 (first step copies)
    opt.apply([torch.tensor([4.0])], [p])  # p = -2, average = 0.5 * -1 + 0.5 * -2
    assert float(p.detach()) == -2.0
    opt.finalize_variable_values([p])
    assert float(p.detach()) == pytest.approx(-1.5)
    assert float(opt.scale_loss(torch.tensor(1.0))) == 4.0


def test_get_serialize_deserialize():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("sgd"), optimizers.SGD)
    with pytest.raises(ValueError, match="adamm"):
        optimizers.get("adamm")
    opt = optimizers.Adam(learning_rate=schedules.CosineDecay(0.1, 100), beta_1=0.8, clipnorm=1.0)
    config = optimizers.serialize(opt)
    assert config["class_name"] == "Adam" and config["config"]["learning_rate"]["class_name"] == "CosineDecay"
    clone = optimizers.deserialize(config)
    assert clone.beta_1 == 0.8 and clone.clipnorm == 1.0
    assert float(clone.learning_rate) == pytest.approx(0.1)
    tf_keras = {"class_name": "Custom>Adam", "config": {  # as stored in a tf-keras .h5 training_config
        "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
        "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None, "jit_compile": False,
        "is_legacy_optimizer": False, "learning_rate": 0.009999999776482582, "beta_1": 0.9,
        "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}
    legacy = optimizers.deserialize(tf_keras)
    assert isinstance(legacy, optimizers.Adam) and float(legacy.learning_rate) == pytest.approx(0.01)
    again = optimizers.SGD.from_config(optimizers.SGD(0.3, momentum=0.9).get_config())
    assert again.momentum == 0.9 and float(again.learning_rate) == pytest.approx(0.3)


@pytest.mark.skipif(not (FIXTURE_DIR / "manifest.json").exists(), reason="Keras reference fixtures not found")
@pytest.mark.parametrize("opt_name", ["sgd", "adam", "rmsprop"])
def test_mlp_steps_match_recorded_keras3(opt_name):
    """3 full-batch steps of a hand-written Dense-ReLU-Dense MLP against weights recorded from Keras 3."""
    case = next(c for c in json.loads((FIXTURE_DIR / "manifest.json").read_text())["cases"]
                if c["name"] == "train_mlp_mse")
    data = np.load(FIXTURE_DIR / case["files"]["train_npz"]["file"])
    spec = case["optimizers"][opt_name]
    opt = getattr(optimizers, spec["class_name"])(**spec["config"])
    ws = [torch.nn.Parameter(torch.tensor(data[f"w_before_{i}"])) for i in range(4)]
    x, y = torch.tensor(data["x0"]), torch.tensor(data["y0"])
    history = []
    for _ in range(3):
        loss = losses.MeanSquaredError()(y, torch.relu(x @ ws[0] + ws[1]) @ ws[2] + ws[3])
        history.append(float(loss.detach()))
        loss.backward()
        opt.apply(None, ws)
        for w in ws:
            w.grad = None
    tol = case["tolerance"]
    np.testing.assert_allclose(history, data[f"loss_{opt_name}"], atol=tol["atol"], rtol=tol["rtol"])
    for i, w in enumerate(ws):
        np.testing.assert_allclose(w.detach().numpy(), data[f"w_after_{opt_name}_{i}"], atol=tol["atol"],
                                   rtol=tol["rtol"])


@pytest.mark.parametrize("name", ["adam", "adamw", "sgd", "rmsprop"])
def test_apply_takes_gradients_in_any_memory_layout(name):
    # torch's fused Adam walks memory in the parameter's order; a transposed gradient must be
    # laid out like its variable first.
    from kerastorch import optimizers
    grads = [torch.randn(6, 4).t() * (i + 1) for i in range(3)]  # (4, 6), column-major
    results = []
    for layout in (lambda g: g, lambda g: g.contiguous()):
        var = torch.nn.Parameter(torch.ones(4, 6))
        opt = optimizers.get(name)
        for g in grads:
            opt.apply([layout(g)], [var])
        results.append(var.detach().clone())
    torch.testing.assert_close(results[0], results[1])
