"""keras.tasks.build / fit: the model per task, the summary, overrides, the recipe's switches, save/load."""
from __future__ import annotations

import os

import numpy as np
import pytest

import kerastorch as keras
from kerastorch import tasks

FAST = {"lr_find_kwargs": {"num_steps": 6}}  # a short range test keeps each fit well under a second


def _tabular(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, rng


def _last(model):
    return model.layers[-1]


def test_summary_prints_every_choice_once(capsys):
    x, _ = _tabular()
    y = (x[:, 0] > 0).astype("int64")
    model = tasks.build(x, y, epochs=2)
    out = capsys.readouterr().out
    for row in ("task", "input", "preprocessing", "backbone", "output", "loss", "metrics", "class weights",
                "validation", "fit"):
        assert sum(line.split()[0:2] == row.split()[0:2] or line.strip().startswith(row + " ")
                   for line in out.splitlines()) >= 1, row
    assert out.count("keras.tasks: inferred choices") == 1
    assert "[task=]" in out and "[class_weight=]" in out and "binary" in out
    assert model.task_plan.summary() in out
    tasks.build(x, y, verbose=0)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("task, y_fn, loss, units, activation", [
    ("binary", lambda x: (x[:, 0] > 0).astype("int64"), "binary_crossentropy", 1, "sigmoid"),
    ("multiclass", lambda x: np.digitize(x[:, 0], [-0.5, 0.5]), "sparse_categorical_crossentropy", 3, "softmax"),
    ("multiclass", lambda x: np.eye(3)[np.digitize(x[:, 0], [-0.5, 0.5])], "categorical_crossentropy", 3,
     "softmax"),
    ("multilabel", lambda x: (x[:, :3] > 0).astype("float32"), "binary_crossentropy", 3, "sigmoid"),
    ("regression", lambda x: x[:, :2] * 3.0 + 10.0, "mean_squared_error", 2, "linear"),
])
def test_model_per_task(task, y_fn, loss, units, activation):
    x, _ = _tabular()
    y = y_fn(x)
    model = tasks.build(x, y, verbose=0)
    assert isinstance(model, keras.Model) and model.task_plan.target.task == task
    assert model.loss == loss
    dense = model.get_layer("predictions")
    assert dense.units == units and dense.activation.__name__ == activation
    if task == "regression":  # the head predicts standardized targets, put back in target units
        scale = _last(model)
        assert scale.name == "target_scale" and scale.invert
        np.testing.assert_allclose(np.asarray(scale.get_config()["mean"]).ravel(), y.mean(axis=0), rtol=1e-5)
    assert model.predict(x[:5], verbose=0).shape == (5, units)


def test_overrides():
    x, _ = _tabular()
    y = (x[:, 0] > 0).astype("int64")
    model = tasks.build(x, y, hidden_units=(7,), dropout=0.0, loss="hinge", metrics=["mae"], class_weight=None,
                        split="last", epochs=3, batch_size=8, patience=1, seed=3, verbose=0)
    plan = model.task_plan
    assert [l.units for l in model.layers if isinstance(l, keras.layers.Dense)] == [7, 1]
    assert not any(isinstance(l, keras.layers.Dropout) for l in model.layers)
    assert model.loss == "hinge" and plan.monitor == "val_loss"
    assert (plan.split, plan.epochs, plan.batch_size, plan.patience, plan.class_weight) == ("last", 3, 8, 1, None)
    ratings = np.random.default_rng(0).integers(1, 6, size=48)
    assert tasks.build(x, ratings, task="regression", verbose=0).task_plan.target.task == "regression"
    with pytest.raises(ValueError, match="task='multiclass'"):
        tasks.build(x, ratings, verbose=0)
    with pytest.raises(ValueError, match="backbone='mlp'"):
        tasks.build(x, y, backbone="transformer", verbose=0)


def test_mlp_dropout_follows_the_data_size():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3)).astype("float32")
    y = x[:, 0] * 2.0 + 0.1
    dense = lambda m: [l.units for l in m.layers if isinstance(l, keras.layers.Dense)]  # noqa: E731
    dropout = lambda m: [l.rate for l in m.layers if isinstance(l, keras.layers.Dropout)]  # noqa: E731
    large = tasks.build(x, y, verbose=0)  # 1600 training samples
    assert dense(large) == [128, 64, 1] and dropout(large) == [0.1, 0.1]
    small = tasks.build(x[:500], y[:500], verbose=0)  # 400 training samples
    assert dense(small) == [128, 64, 1] and dropout(small) == [0.3, 0.3]
    assert "small data: 400 training samples" in small.task_plan.summary()


def test_class_weights_reach_fit(monkeypatch):
    x, _ = _tabular(60)
    y = np.array([0] * 45 + [1] * 15)
    model = tasks.build(x, y, epochs=1, verbose=0)
    assert model.task_plan.class_weight == pytest.approx({0: 60 / 90, 1: 2.0})
    seen = {}
    original = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.setdefault("class_weight", kwargs.get("class_weight"))
        return original(self, *args, **kwargs)
    monkeypatch.setattr(keras.Model, "fit", spy)
    tasks.fit(model, x, y, verbose=0, **FAST)
    assert seen["class_weight"] == pytest.approx({0: 60 / 90, 1: 2.0})


def test_fit_default_recipe_and_switches():
    x, _ = _tabular(64)
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    model = tasks.build(x, y, epochs=3, verbose=0)
    history = tasks.fit(model, x, y, verbose=0, **FAST)
    assert model.lr_find_result.suggestion > 0 and len(model.lr_find_result.learning_rates) <= 6
    assert "learning_rate" in history.history and "val_loss" in history.history  # the one-cycle scheduler logs
    lrs = history.history["learning_rate"]
    assert lrs[-1] < max(lrs)  # annealed
    plain = tasks.build(x, y, epochs=2, verbose=0)
    plain.optimizer.learning_rate = 0.0123
    history = tasks.fit(plain, x, y, lr_find=False, one_cycle=False, early_stopping=False, verbose=0)
    assert not hasattr(plain, "lr_find_result") and "learning_rate" not in history.history
    assert float(np.asarray(plain.optimizer.learning_rate)) == pytest.approx(0.0123)
    assert len(history.epoch) == 2
    constant = tasks.build(x, y, epochs=2, verbose=0)
    tasks.fit(constant, x, y, one_cycle=False, verbose=0, **FAST)
    assert float(np.asarray(constant.optimizer.learning_rate)) == pytest.approx(constant.lr_find_result.suggestion)


def test_early_stopping_stops_on_noise():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 20)).astype("float32")
    y = rng.integers(0, 2, size=80)  # nothing to learn: the validation loss rises as the MLP memorizes
    model = tasks.build(x, y, epochs=40, patience=2, hidden_units=(256, 256), dropout=0.0, verbose=0)
    history = tasks.fit(model, x, y, verbose=0, **FAST)
    assert len(history.epoch) < 40
    full = tasks.build(x, y, epochs=12, patience=2, verbose=0)
    assert len(tasks.fit(full, x, y, early_stopping=False, verbose=0, **FAST).epoch) == 12


def test_split_is_stratified_for_classes():
    x, _ = _tabular(40)
    y = np.array([0] * 30 + [1] * 10)  # class-sorted: Keras's last 20% would hold only class 1
    model = tasks.build(x, y, verbose=0)
    (_, ytr), (_, yva) = tasks.api._split(model.task_plan, x, tasks.inference.encode_targets(
        model.task_plan.target, y), 0.2)
    assert sorted(np.unique(yva.ravel()).tolist()) == [0.0, 1.0] and len(yva) == 8


def test_columns_with_categories_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    n = 40
    columns = {"age": rng.normal(40, 10, size=n), "city": rng.choice(["paris", "rome", "oslo"], size=n),
               "rooms": rng.integers(1, 4, size=n)}
    y = (columns["age"] > 40).astype("int64")
    model = tasks.build(columns, y, categorical=["rooms"], epochs=1, verbose=0)
    names = {type(l).__name__ for l in model.layers}
    assert {"StringLookup", "IntegerLookup", "Normalization"} <= names
    tasks.fit(model, columns, y, verbose=0, **FAST)
    inputs = model.task_plan.prepare(columns)
    before = model.predict(inputs, verbose=0)
    path = os.path.join(tmp_path, "columns.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict(inputs, verbose=0), before, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="not in the data"):
        tasks.build(columns, y, categorical=["zip"], verbose=0)


class _FakeFrame:
    """Enough of a pandas DataFrame for the duck-typed path (pandas is optional and not installed here)."""

    def __init__(self, data):
        self._data = data
        self.columns = list(data)
        self.dtypes = {k: np.asarray(v).dtype for k, v in data.items()}

    def __getitem__(self, key):
        return np.asarray(self._data[key])


def test_dataframe_like_input():
    rng = np.random.default_rng(0)
    frame = _FakeFrame({"a": rng.normal(size=30), "kind": rng.choice(["x", "y"], size=30)})
    model = tasks.build(frame, rng.normal(size=30), verbose=0)
    assert model.task_plan.column_names == ["a", "kind"]
    assert model.predict(model.task_plan.prepare(frame), verbose=0).shape == (30, 1)


def test_text_model_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array(["good", "bad", "movie", "plot", "the", "fine"])
    texts = [" ".join(rng.choice(words, size=5)) for _ in range(40)]
    y = np.array(["pos" if "good" in t else "neg" for t in texts])
    model = tasks.build(texts, y, epochs=1, verbose=0)
    assert {"TextVectorization", "Embedding", "MultiHeadAttention"} <= {type(l).__name__ for l in model.layers}
    tasks.fit(model, texts, y, verbose=0, **FAST)
    x = model.task_plan.prepare(texts[:4])
    before = model.predict(x, verbose=0)
    assert set(model.task_plan.decode(before)) <= {"neg", "pos"}
    path = os.path.join(tmp_path, "text.keras")
    model.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0), before, rtol=1e-5, atol=1e-6)
    for kind, layer in (("bag", "GlobalAveragePooling1D"), ("gru", "Bidirectional")):
        other = tasks.build(texts, y, backbone=kind, verbose=0)
        assert layer in {type(l).__name__ for l in other.layers}


def test_image_models_and_folder(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(12, 8, 8, 3)).astype("uint8")
    y = np.array([0, 1, 2] * 4)
    model = tasks.build(images, y, epochs=1, verbose=0)
    names = [type(l).__name__ for l in model.layers]
    assert names[1:4] == ["Rescaling", "RandomFlip", "RandomTranslation"] and "Conv2D" in names
    tasks.fit(model, images, y, verbose=0, batch_size=4, **FAST)
    assert "mobilenetv2" in tasks.build(np.zeros((4, 32, 32, 3)), np.array([0, 1, 0, 1]), backbone="mobilenet_v2",
                                        augmentation=None, verbose=0).layers[-3].name
    with pytest.raises(ValueError, match="at least 32x32"):
        tasks.build(images, y, backbone="mobilenet_v2", verbose=0)
    for label in ("cat", "dog"):
        os.makedirs(tmp_path / label)
        for i in range(3):
            keras.utils.save_img(str(tmp_path / label / f"{i}.png"), rng.integers(0, 255, size=(10, 12, 3)))
    model = tasks.build(str(tmp_path), epochs=1, verbose=0)
    assert model.task_plan.target.class_names == ["cat", "dog"] and model.input_shape == (None, 10, 12, 3)
    tasks.fit(model, str(tmp_path), verbose=0, batch_size=2, validation_split=0.34, **FAST)


def test_pretrained_backbone_fine_tunes_in_two_stages(capsys):
    x, _ = _tabular(48)
    y = (x[:, 0] > 0).astype("int64")
    backbone = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu")], name="body")
    model = tasks.build(x, y, backbone=backbone, epochs=3)
    assert "2 stages" in capsys.readouterr().out and model.task_plan.pretrained
    history = tasks.fit(model, x, y, verbose=0, early_stopping=False, **FAST)
    assert history.epoch == [0, 1, 2]  # 1 frozen epoch + 2 unfrozen, one History
    assert all(l.trainable for l in model.layers)  # unfrozen at the end
    assert getattr(model.optimizer, "lr_multipliers", None)  # discriminative learning rates set
    scratch = tasks.build(x, y, backbone=keras.Sequential([keras.layers.Dense(4)]), pretrained=False, verbose=0)
    assert not scratch.task_plan.pretrained


def test_fit_on_a_loaded_model(tmp_path):
    x, _ = _tabular(40)
    y = x[:, 0] * 2.0 + 0.5
    model = tasks.build(x, y, epochs=1, verbose=0)
    path = os.path.join(tmp_path, "r.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    history = tasks.fit(restored, x, y, epochs=2, verbose=0, **FAST)
    assert len(history.epoch) == 2 and "val_loss" in history.history


@pytest.mark.slow
def test_applications_backbone_with_a_weights_file(tmp_path, capsys):
    source = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3), pooling="avg")
    path = str(tmp_path / "mobilenet_v2_no_top.weights.h5")
    source.save_weights(path)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(8, 32, 32, 3)).astype("uint8")
    y = np.array([0, 1] * 4)
    model = tasks.build(images, y, weights=path, augmentation=None, epochs=2, batch_size=4)
    out = capsys.readouterr().out
    assert "MobileNetV2, pretrained weights" in out and "[-1, 1]" in out and "2 stages" in out
    backbone = next(l for l in model.layers if isinstance(l, keras.Model))
    np.testing.assert_array_equal(backbone.get_weights()[0], source.get_weights()[0])
    history = tasks.fit(model, images, y, verbose=0, early_stopping=False, lr_find_kwargs={"num_steps": 3})
    assert history.epoch == [0, 1]


def test_fit_with_validation_data_and_one_hot_targets():
    x, _ = _tabular(60)
    y = np.eye(3)[np.digitize(x[:, 0], [-0.5, 0.5])]
    model = tasks.build(x[:40], y[:40], epochs=2, verbose=0)
    assert model.task_plan.target.one_hot and model.task_plan.split == "stratified"
    history = tasks.fit(model, x[:40], y[:40], validation_data=(x[40:], y[40:]), verbose=0, **FAST)
    assert len(history.history["val_loss"]) == 2
    (_, ytr), (_, yva) = tasks.api._split(model.task_plan, x, y.astype("float32"), 0.25)
    assert len(yva) == 15 and yva.sum(axis=0).min() >= 1  # every class in the stratified validation set
