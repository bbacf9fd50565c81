"""One process of the 2-process runs of test_distributed.py (launched like torchrun: RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT set; in one process when they are not). Usage: SCENARIO OUT_DIR.

Each scenario writes ``OUT_DIR/r<rank>.json`` with what the test compares.
"""
from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np
import torch

import kerastorch as keras

SCENARIO, OUT = sys.argv[1], sys.argv[2]
RANK = int(os.environ.get("RANK", "0"))


def data(n=96, features=5):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("int64")


def mlp(features=5):
    return keras.Sequential([keras.Input((features,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(2, activation="softmax")])


def dump(**values) -> None:
    with open(os.path.join(OUT, f"r{RANK}.json"), "w") as f:
        json.dump(values, f)


def weights(model) -> list:
    return [w.tolist() for w in model.get_weights()]


def fit_arrays() -> None:
    """Arrays, shuffle, validation_split, metrics, file-writing callbacks, evaluate, predict, save."""
    keras.utils.set_random_seed(1)
    x, y = data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    class RecordingCheckpoint(keras.callbacks.ModelCheckpoint):
        def on_epoch_end(self, epoch, logs=None):
            with open(os.path.join(OUT, "writers.txt"), "a") as f:
                f.write(f"{RANK}\n")
            super().on_epoch_end(epoch, logs)
    callbacks = [keras.callbacks.CSVLogger(os.path.join(OUT, "log.csv"), append=True),
                 RecordingCheckpoint(os.path.join(OUT, "ckpt_{epoch}.keras")),
                 keras.callbacks.EarlyStopping(monitor="loss", patience=100)]
    history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, verbose=0, callbacks=callbacks)
    evaluated = model.evaluate(x, y, batch_size=20, verbose=0, return_dict=True)
    predicted = model.predict(x, batch_size=20, verbose=0)
    model.save(os.path.join(OUT, "final.keras"))
    reloaded = keras.models.load_model(os.path.join(OUT, "final.keras"))  # every rank: the file is complete

    # EarlyStopping reads the global logs: it stops at the same epoch on every rank.
    stopped = mlp()
    stopped.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    early = stopped.fit(x, y, batch_size=16, epochs=6, verbose=0,
                        callbacks=[keras.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)])

    # A callback that stops training on rank 1 only, mid-epoch: every rank stops after the same batch.
    class StopOnRankOne(keras.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            StopOnRankOne.batches += 1
            if RANK == 1 and batch == 2:
                self.model.stop_training = True
    stopped.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[StopOnRankOne()])
    dump(history=history.history, weights=weights(model), evaluate=evaluated, predict=predicted.tolist(),
         reloaded=weights(reloaded), early_epochs=len(early.history["loss"]), stop_batches=StopOnRankOne.batches,
         stopped_weights=weights(stopped))


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.seen: list[int] = []

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, i):
        self.seen.append(int(i))
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[s], self.y[s]


class GuideModel(keras.Model):
    """The custom train_step of the Keras torch guide (forward, loss.backward(), optimizer.apply)."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        loss.backward()
        trainable = list(self.trainable_weights)
        self.optimizer.apply([v.grad for v in trainable], trainable)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def datasets() -> None:
    """PyDataset (shuffled batch indices) and DataLoader (DistributedSampler) shards; a custom train_step."""
    keras.utils.set_random_seed(2)
    x, y = data(64)
    inputs = keras.Input((5,))
    model = GuideModel(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Dense(8)(inputs)))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seq = Batches(x, y, 8)
    history = model.fit(seq, epochs=2, shuffle=True, verbose=0)
    seen_seq = list(seq.seen)

    # A DataLoader over a Dataset that records which samples it serves, per epoch.
    recorded: list[int] = []

    class Ids(torch.utils.data.Dataset):
        def __len__(self):
            return 64

        def __getitem__(self, i):
            recorded.append(int(i))
            return torch.from_numpy(x[i]), torch.tensor(y[i])
    per_epoch: list[list[int]] = []
    model2 = mlp()
    model2.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model2.fit(torch.utils.data.DataLoader(Ids(), batch_size=8, shuffle=True), epochs=2, verbose=0,
               callbacks=[keras.callbacks.LambdaCallback(
                   on_epoch_end=lambda epoch, logs: (per_epoch.append(list(recorded)), recorded.clear()))])
    # evaluate on a DataLoader (sharded, metric states summed) against the loss of predict on the arrays
    evaluated = model2.evaluate(torch.utils.data.DataLoader(Ids(), batch_size=8), verbose=0)
    reference = float(np.mean(keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(
        y, model2.predict(x, batch_size=10, verbose=0)))))
    dump(history=history.history, weights=weights(model), seen_sequence=seen_seq, loader_epochs=per_epoch,
         weights2=weights(model2), loader_evaluate=evaluated, reference_loss=reference)


def resume() -> None:
    """BackupAndRestore; with KILL_AT_EPOCH set, rank 1 SIGKILLs itself when that epoch begins."""
    keras.utils.set_random_seed(3)
    x, y = data()
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    kill_at = int(os.environ.get("KILL_AT_EPOCH", "-1"))

    class Kill(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == kill_at and RANK == 1:
                os.kill(os.getpid(), signal.SIGKILL)
    backup = keras.callbacks.BackupAndRestore(os.path.join(OUT, "backup"))
    history = model.fit(x, y, batch_size=16, epochs=4, verbose=0, callbacks=[backup, Kill()])
    dump(history=history.history, weights=weights(model))


def raise_in_one_rank() -> None:
    """Rank 1 raises in its third training step; rank 0 must fail too, with a clear error, not hang."""
    keras.utils.set_random_seed(4)
    x, y = data()
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")

    class Boom(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 2 and RANK == 1:
                raise ValueError("rank 1 failed on purpose")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[Boom()])
    dump(finished=True)


def jit_and_mixed() -> None:
    """jit_compile=True (torch.compile of the DDP module) and the mixed_bfloat16 policy."""
    keras.utils.set_random_seed(5)
    x, y = data()
    keras.mixed_precision.set_global_policy(os.environ.get("POLICY", "float32"))
    model = mlp()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  jit_compile=os.environ.get("JIT") == "1")
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    dump(history=history.history, weights=weights(model))


{"fit_arrays": fit_arrays, "datasets": datasets, "resume": resume, "raise": raise_in_one_rank,
 "jit_and_mixed": jit_and_mixed}[SCENARIO]()
