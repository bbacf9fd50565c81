"""keras.tasks defaults vs the plain Keras recipe a tutorial would write, same step budget, 3 seeds.

    python experiments/tasks_vs_keras_recipe.py [--seeds 0 1 2] [--epochs 30] [--datasets digits wine ...]

Datasets: scikit-learn's digits, wine, breast_cancer (classification) and diabetes (regression),
all shipped with scikit-learn (california_housing needs a download: skipped), and two generated
ones: 32x32 images of three shapes ("image") and short reviews with negations ("text").

Each dataset is split once into train (75%) and test (25%, stratified for classes, seed 0).
Per seed:

* **Keras recipe**: the model a keras.io tutorial writes for the modality -- tabular:
  Normalization adapted on the training data, Dense(64, relu) x2, output layer; text:
  TextVectorization + Embedding(64) + GlobalAveragePooling1D + output; image: the "simple MNIST
  convnet" (Rescaling, Conv 32/64 + max pooling, Flatten, Dropout 0.5, output) -- compiled with
  Adam(1e-3) and trained by ``fit(validation_split=0.2)`` with Keras's last-fraction split for a fixed
  number of epochs;
* **keras.tasks default**: ``tasks.build(x, y, epochs=E)`` + ``tasks.fit(model, x, y)``, no other argument.

Same budget: the task run gets E epochs *plus* its lr_find steps, so the recipe gets E + the lr_find
steps counted in epochs (rounded up): both make at least as many optimizer steps. The test metric is
accuracy (classification) or RMSE (regression). Wall times are reported too (2 shared CPU cores).
Writes experiments/results/tasks_vs_keras_recipe.md.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import torch
from sklearn import datasets as skdata
from sklearn.model_selection import train_test_split

import kerastorch as keras
from kerastorch import tasks

torch.set_num_threads(1)  # 2 threads on 2 shared cores ran 5x slower (oversubscription)
L = keras.layers
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "tasks_vs_keras_recipe.md")


# ------------------------------------------------------------------ data
def make_images(n: int, rng: np.random.Generator):
    """Three classes of 32x32 RGB images: a horizontal bar, a vertical bar, a filled square; random place,
    size, colour and heavy noise (a horizontal flip keeps every label)."""
    x = rng.normal(90, 60, size=(n, 32, 32, 3))
    y = rng.integers(0, 3, size=n)
    for i in range(n):
        colour = rng.uniform(50, 110, size=3)
        r, c = rng.integers(4, 24, size=2)
        length, width = rng.integers(10, 18), rng.integers(3, 5)
        if y[i] == 0:
            x[i, r:r + width, max(c - 6, 0):c - 6 + length] += colour
        elif y[i] == 1:
            x[i, max(r - 6, 0):r - 6 + length, c:c + width] += colour
        else:
            side = rng.integers(6, 9)
            x[i, r:r + side, c:c + side] += colour
    return x.clip(0, 255).astype("uint8"), y.astype("int64")


POSITIVE = ["good", "great", "excellent", "fun", "superb", "lovely", "brilliant", "enjoyable", "moving", "clever"]
NEGATIVE = ["bad", "awful", "boring", "terrible", "poor", "dull", "weak", "horrible", "flat", "tedious"]
FILLER = ["the", "movie", "film", "plot", "was", "actors", "story", "and", "it", "a", "really", "quite", "this",
          "ending", "music", "very", "scenes", "director", "of", "felt", "i", "thought", "but", "at", "times"]


def make_texts(n: int, rng: np.random.Generator):
    """Binary sentiment: one or two sentiment words among fillers; "not" before a word flips it; 5% label noise."""
    texts, labels = [], []
    for _ in range(n):
        score = 0
        words = rng.choice(FILLER, size=int(rng.integers(4, 14))).tolist()
        for _k in range(int(rng.integers(1, 3))):
            positive = rng.random() < 0.5
            word = str(rng.choice(POSITIVE if positive else NEGATIVE))
            negated = rng.random() < 0.3
            score += (1 if positive else -1) * (-1 if negated else 1)
            words.insert(int(rng.integers(0, len(words) + 1)), ("not " if negated else "") + word)
        label = int(score > 0 or (score == 0 and rng.random() < 0.5))
        if rng.random() < 0.05:
            label = 1 - label
        texts.append(" ".join(words))
        labels.append(label)
    return np.array(texts), np.array(labels, dtype="int64")


def load(name: str):
    """(x, y, kind, task) for a dataset."""
    if name == "image":
        x, y = make_images(900, np.random.default_rng(0))
        return x, y, "image", "classification"
    if name == "text":
        x, y = make_texts(2000, np.random.default_rng(0))
        return x, y, "text", "classification"
    d = getattr(skdata, f"load_{name}")()
    task = "regression" if name == "diabetes" else "classification"
    return d.data.astype("float32"), d.target, "tabular", task


# ------------------------------------------------------------------ the Keras recipe
def recipe_model(x, y, kind: str, task: str):
    if task == "regression":
        out_units, activation, loss, metrics = 1, None, "mse", [keras.metrics.RootMeanSquaredError(name="rmse")]
    elif len(np.unique(y)) == 2:
        out_units, activation, loss, metrics = 1, "sigmoid", "binary_crossentropy", ["accuracy"]
    else:
        out_units, activation, loss = len(np.unique(y)), "softmax", "sparse_categorical_crossentropy"
        metrics = ["accuracy"]
    if kind == "tabular":
        inputs = keras.Input(shape=(x.shape[1],))
        norm = L.Normalization()
        norm.adapt(x)
        h = L.Dense(64, activation="relu")(L.Dense(64, activation="relu")(norm(inputs)))
    elif kind == "text":
        inputs = keras.Input(shape=(1,), dtype="string")
        vec = L.TextVectorization(max_tokens=20000, output_sequence_length=32)
        vec.adapt(x.reshape(-1))
        h = L.GlobalAveragePooling1D()(L.Embedding(20000, 64)(vec(inputs)))
    else:
        inputs = keras.Input(shape=x.shape[1:])
        h = L.Rescaling(1 / 255.0)(inputs)
        h = L.MaxPooling2D()(L.Conv2D(32, 3, activation="relu")(h))
        h = L.MaxPooling2D()(L.Conv2D(64, 3, activation="relu")(h))
        h = L.Dropout(0.5)(L.Flatten()(h))
    model = keras.Model(inputs, L.Dense(out_units, activation=activation)(h))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=metrics)
    return model


def as_model_x(x, kind):
    return x.reshape(-1, 1) if kind == "text" else x


def evaluate(model, x, y, task, decode=None):
    pred = model.predict(x, verbose=0, batch_size=256)
    if task == "regression":
        return float(np.sqrt(np.mean((pred.reshape(-1) - y.reshape(-1)) ** 2)))
    if pred.shape[-1] == 1:
        labels = (pred.reshape(-1) > 0.5).astype(int)
    else:
        labels = pred.argmax(axis=-1)
    return float(np.mean(labels == y))


def run_dataset(name: str, seeds, epochs: int):
    x, y, kind, task = load(name)
    strat = y if task == "classification" else None
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, stratify=strat, random_state=0)
    rows = []
    for seed in seeds:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        t0 = time.perf_counter()
        model = tasks.build(xtr, ytr, epochs=epochs, seed=seed, verbose=0)
        history = tasks.fit(model, xtr, ytr, verbose=0)
        t_task = time.perf_counter() - t0
        score_task = evaluate(model, tasks.prepare_inputs(model.task_plan, xte)[0], yte, task)
        finder_steps = len(model.lr_find_result.learning_rates)
        plan = model.task_plan
        steps_per_epoch = math.ceil(len(ytr) * (1 - plan.validation_split) / plan.batch_size)
        recipe_epochs = epochs + math.ceil(finder_steps / steps_per_epoch)

        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        t0 = time.perf_counter()
        baseline = recipe_model(xtr, ytr, kind, task)
        keras.config.set_default("validation_split", "last")
        try:
            baseline.fit(as_model_x(xtr, kind), ytr.astype("float32") if task == "regression" else ytr,
                         validation_split=0.2, epochs=recipe_epochs, batch_size=32, verbose=0)
        finally:
            keras.config.set_default("validation_split", "auto")
        t_recipe = time.perf_counter() - t0
        score_recipe = evaluate(baseline, as_model_x(xte, kind), yte, task)
        rows.append(dict(seed=seed, task=score_task, recipe=score_recipe, t_task=t_task, t_recipe=t_recipe,
                         epochs_run=len(history.epoch), recipe_epochs=recipe_epochs, finder_steps=finder_steps,
                         max_lr=getattr(model.lr_find_result, "suggestion", float("nan"))))
        print(f"{name:14s} seed {seed}: tasks {score_task:.4f} ({t_task:.1f}s, {len(history.epoch)} epochs, "
              f"lr_find {finder_steps} steps, max_lr {rows[-1]['max_lr']:.2g}) | recipe {score_recipe:.4f} "
              f"({t_recipe:.1f}s, {recipe_epochs} epochs)", flush=True)
    return task, rows


def verdict(task: str, a: np.ndarray, b: np.ndarray) -> str:
    """tasks (a) vs recipe (b): win / tie (means within the larger std) / loss."""
    better = a.mean() < b.mean() if task == "regression" else a.mean() > b.mean()
    if abs(a.mean() - b.mean()) <= max(a.std(), b.std()):
        return "tie" + (" (better mean)" if better else "")
    return "**win**" if better else "LOSS"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--datasets", nargs="+",
                        default=["digits", "wine", "breast_cancer", "diabetes", "image", "text"])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--update", action="store_true",
                        help="replace only these datasets' rows in the existing results table")
    args = parser.parse_args()
    lines = ["| dataset | metric (test) | keras.tasks default | Keras recipe | verdict | time tasks / recipe (s) "
             "| epochs run tasks (of E) / recipe | lr_find steps |",
             "|---|---|---|---|---|---|---|---|"]
    for name in args.datasets:
        task, rows = run_dataset(name, args.seeds, args.epochs)
        a = np.array([r["task"] for r in rows])
        b = np.array([r["recipe"] for r in rows])
        metric = "RMSE (lower is better)" if task == "regression" else "accuracy"
        lines.append(
            f"| {name} | {metric} | {a.mean():.4f} ± {a.std():.4f} | {b.mean():.4f} ± {b.std():.4f} | "
            f"{verdict(task, a, b)} | {np.mean([r['t_task'] for r in rows]):.1f} / "
            f"{np.mean([r['t_recipe'] for r in rows]):.1f} | "
            f"{np.mean([r['epochs_run'] for r in rows]):.0f} / {rows[0]['recipe_epochs']} | "
            f"{np.mean([r['finder_steps'] for r in rows]):.0f} |")
    if args.update and os.path.exists(RESULTS):
        fresh = {line.split("|")[1].strip(): line for line in lines[2:]}
        with open(RESULTS) as f:
            old = [line.rstrip("\n") for line in f if line.startswith("| ") and not line.startswith("| dataset")]
        kept = [fresh.pop(line.split("|")[1].strip(), line) for line in old]
        lines = lines[:2] + kept + list(fresh.values())
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "w") as f:
            f.write("# keras.tasks defaults vs the plain Keras recipe\n\n")
            f.write(f"`python experiments/tasks_vs_keras_recipe.py --epochs {args.epochs} --seeds "
                    f"{' '.join(map(str, args.seeds))}` (torch {torch.__version__}, 2 shared CPU cores). "
                    "Mean ± std over seeds of the test metric (25% held out, seed 0). Verdict: tie when the "
                    "means differ by less than the larger std. The recipe gets E epochs plus the task's lr_find "
                    "steps in epochs, so it makes at least as many optimizer steps.\n\n")
            f.write(table + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
