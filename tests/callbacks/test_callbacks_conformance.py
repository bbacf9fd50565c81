"""kerastorch.callbacks against real Keras 3: names, constructor signatures, and the new callbacks
(TensorBoard event files, SwapEMAWeights numbers, RemoteMonitor requests)."""
from __future__ import annotations

import http.server
import inspect
import json
import sys
import threading
import urllib.parse

import numpy as np
import pytest

import kerastorch

# OrbaxCheckpoint writes JAX/Orbax checkpoints (needs orbax-checkpoint and JAX); not ported.
_NOT_PORTED = {"OrbaxCheckpoint"}


def test_every_public_name_is_present(real_keras):
    names = sorted(n for n in dir(real_keras.callbacks) if not n.startswith("_"))
    assert [n for n in names if not hasattr(kerastorch.callbacks, n)] == sorted(_NOT_PORTED)


_NEW = ["RemoteMonitor", "SwapEMAWeights", "TensorBoard"]
_PORTED_WITH_EXTRAS = {"BackupAndRestore": ["save_before_preemption"]}  # kerastorch-only keyword last


_ALL_CLASSES = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History",
                "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau",
                "RemoteMonitor", "SwapEMAWeights", "TensorBoard", "TerminateOnNaN"]


@pytest.mark.parametrize("name", _ALL_CLASSES)
def test_constructor_signature_matches(real_keras, name):
    ours = inspect.signature(getattr(kerastorch.callbacks, name))
    theirs = inspect.signature(getattr(real_keras.callbacks, name))
    extras = _PORTED_WITH_EXTRAS.get(name, [])
    assert [(p.name, p.default) for p in ours.parameters.values() if p.name not in extras] == \
        [(p.name, p.default) for p in theirs.parameters.values()]


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = rng.integers(0, 3, size=24)
    return x, y


def _model(lib, optimizer):
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=(4, 3)).astype("float32"), np.zeros(3, "float32")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["acc"])
    return model


def test_swap_ema_weights_gives_keras_numbers(real_keras):
    x, y = _data()
    histories, evaluations = [], []
    for lib in (kerastorch, real_keras):
        model = _model(lib, lib.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5))
        callback = lib.callbacks.SwapEMAWeights()
        histories.append(model.fit(x, y, validation_data=(x, y), epochs=3, batch_size=8, shuffle=False, verbose=0,
                                   callbacks=[callback]).history)
        evaluations.append(model.evaluate(x, y, verbose=0, callbacks=[callback]))
    for key in ("loss", "val_loss", "val_acc"):
        np.testing.assert_allclose(histories[0][key], histories[1][key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(evaluations[0], evaluations[1], rtol=1e-5)


def test_swap_ema_weights_requires_use_ema():
    x, y = _data()
    model = _model(kerastorch, "sgd")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.evaluate(x, y, verbose=0, callbacks=[kerastorch.callbacks.SwapEMAWeights()])


def _events(folder: str) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(folder)
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def test_tensorboard_writes_keras_tags(tmp_path):
    pytest.importorskip("tensorboard")
    x, y = _data()
    model = _model(kerastorch, "adam")
    callback = kerastorch.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, update_freq=2,
                                                write_images=True)
    history = model.fit(x, y, validation_split=0.25, epochs=2, batch_size=6, verbose=0, callbacks=[callback])
    train = _events(str(tmp_path / "train"))
    validation = _events(str(tmp_path / "validation"))
    assert {"epoch_loss", "epoch_acc", "epoch_learning_rate", "batch_loss"} <= set(train)
    assert {"epoch_loss", "epoch_acc", "evaluation_loss_vs_iterations"} <= set(validation)
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in validation["epoch_loss"]], history.history["val_loss"], rtol=1e-6)
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6]  # every 2nd of 3 batches x 2 epochs


def test_tensorboard_without_the_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        kerastorch.callbacks.TensorBoard()


def test_tensorboard_refuses_profiling():
    pytest.importorskip("tensorboard")
    with pytest.raises(ValueError, match="profile_batch"):
        kerastorch.callbacks.TensorBoard(profile_batch=2)


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("send_as_json", [False, True])
def test_remote_monitor_posts_each_epoch(send_as_json):
    _Recorder.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        x, y = _data()
        model = _model(kerastorch, "sgd")
        monitor = kerastorch.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{server.server_port}",
                                                     send_as_json=send_as_json)
        history = model.fit(x, y, epochs=2, verbose=0, callbacks=[monitor])
    finally:
        server.shutdown()
    assert len(_Recorder.received) == 2
    path, content_type, body = _Recorder.received[1]
    assert path == "/publish/epoch/end/"
    if send_as_json:
        assert content_type == "application/json"
        payload = json.loads(body)
    else:
        payload = json.loads(urllib.parse.parse_qs(body)["data"][0])
    assert payload["epoch"] == 1 and payload["loss"] == pytest.approx(history.history["loss"][1])


def test_remote_monitor_unreachable_server_warns():
    monitor = kerastorch.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        monitor.on_epoch_end(0, {"loss": 1.0})
