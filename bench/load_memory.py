"""Peak memory of loading a large model file, relative to the file's size.

Builds a ~500 MB model (8 Dense 4096x4096 layers), saves it as ``.keras``, legacy ``.h5`` and
``.weights.h5`` under a temporary folder (never the repo), then loads each in a fresh
process and reports the resident-memory peak of the load itself: the peak RSS during the
load minus the RSS just before it (the peak is reset through /proc/self/clear_refs, so
imports and the model built for ``load_weights`` are not counted).

The goal (issue 19.5): loading a file of S bytes costs at most about S (the model's own
weights) plus a bounded overhead, not a full extra copy of every weight: ratio
``load peak / S`` close to 1 for ``load_weights`` into a built model, and close to 1 for
``load_model`` (the model built from the config *is* the S bytes).

Measured 2026-12-06 (CPU container, torch 2.13, 512 MiB model, peaks over the pre-load RSS / file size):

    case                    before this work   member read in place   + weights mapped
                            RSS (private)      RSS (private)          RSS (private)
    load_model .keras       3.27 (not sampled) 2.27 (2.26)            2.02 (1.26)
    load_model .h5          2.27 (2.25)        2.27 (2.25)            2.02 (1.24)
    load_weights .keras     2.00 (not sampled) 1.13 (1.01)            1.01 (0.02)
    load_weights .weights.h5 / .h5  1.00 (1.00)                       1.00 (0.00)

``load_model``'s remaining 1.26 is the model itself (1.0) plus its initializers' temporaries
while it is built; RSS adds the file pages mapped during assignment (reclaimable).

Usage: python bench/load_memory.py [--layers 8] [--units 4096] [--folder /tmp/kt_load_memory]
Linux only (reads /proc).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    raise RuntimeError(field)
import torch
torch.set_num_threads(1)
import threading, time
import kerastorch as keras
kind, path, layers, units, no_map = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
if no_map:  # the previous behaviour: every array read into private memory
    from kerastorch.saving import mapped_read
    mapped_read.try_map = lambda dset: None
anon_peak, stop = [0], threading.Event()
def sample():  # the kernel keeps no peak for anonymous memory alone: poll it
    while not stop.is_set():
        anon_peak[0] = max(anon_peak[0], rss("RssAnon:"))
        time.sleep(0.002)
def build():
    return keras.Sequential([keras.Input((units,))] + [keras.layers.Dense(units) for _ in range(layers)])
model = build() if kind == "load_weights" else None
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak-RSS counter (VmHWM) to the current RSS
before, anon_before = rss("VmRSS:"), rss("RssAnon:")
poller = threading.Thread(target=sample)
poller.start()
if kind == "load_weights":
    model.load_weights(path)
else:
    model = keras.saving.load_model(path, compile=False)
peak = rss("VmHWM:")
stop.set()
poller.join()
params = sum(p.numel() * p.element_size() for p in model.parameters())
print(json.dumps({"before": before, "peak": peak, "anon_before": anon_before, "anon_peak": anon_peak[0],
                  "params": params}))
"""


def measure(kind: str, path: str, layers: int, units: int, no_map: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, kind, path, str(layers), str(units), str(int(no_map))],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["size"] = os.path.getsize(path)
    result["load_peak"] = result["peak"] - result["before"]
    result["anon_load_peak"] = result["anon_peak"] - result["anon_before"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--units", type=int, default=4096)
    parser.add_argument("--folder", default=os.path.join(tempfile.gettempdir(), "kt_load_memory"))
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    import kerastorch as keras
    keras.utils.set_random_seed(0)
    dense_stack = [keras.layers.Dense(args.units) for _ in range(args.layers)]
    model = keras.Sequential([keras.Input((args.units,))] + dense_stack)
    files = {"load_model .keras": os.path.join(args.folder, "m.keras"),
             "load_model .h5": os.path.join(args.folder, "m.h5"),
             "load_weights .weights.h5": os.path.join(args.folder, "w.weights.h5"),
             "load_weights .h5": os.path.join(args.folder, "w.h5"),
             "load_weights .keras": os.path.join(args.folder, "m.keras")}
    model.save(files["load_model .keras"])
    model.save(files["load_model .h5"])
    model.save_weights(files["load_weights .weights.h5"])
    model.save_weights(files["load_weights .h5"])
    del model
    mb = 1024 * 1024
    print("RSS peak: resident memory (private + file pages mapped) during the load, over the RSS before it.\n"
          "private peak: anonymous (non-reclaimable) memory only, sampled every 2 ms.\n"
          "'copied' reads every array into private memory (the behaviour before mapped_read).")
    print(f"{'case':26s} {'reads':>7s} {'file MB':>8s} {'model MB':>9s} {'RSS peak MB':>12s} {'/ file':>7s} "
          f"{'private peak MB':>16s} {'/ file':>7s}")
    for name, path in files.items():
        for no_map in (True, False):
            r = measure(name.split()[0], path, args.layers, args.units, no_map)
            print(f"{name:26s} {'copied' if no_map else 'mapped':>7s} {r['size'] / mb:8.0f} {r['params'] / mb:9.0f} "
                  f"{r['load_peak'] / mb:12.0f} {r['load_peak'] / r['size']:7.2f} {r['anon_load_peak'] / mb:16.0f} "
                  f"{r['anon_load_peak'] / r['size']:7.2f}")
    for path in set(files.values()):
        os.remove(path)


if __name__ == "__main__":
    main()
