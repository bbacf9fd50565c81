"""Adversarial-file suite: hand-built hostile files, each loaded in a child under a memory limit.

Every case names the outcome it must have: a clean refusal (a ValueError or TypeError,
with no MemoryError anywhere in its cause chain: the loader must refuse *before*
allocating) or a correct load (the weights' checksum equals the saved model's). For
every case: the payload module named by hostile configs is never imported, no marker
file is written (by an import, a call, an instantiation or an unpickling), and nothing
under the test folder changes except the child's result file (no extraction, no write
through a member name).

One child process per category, under ``RLIMIT_AS``; the child logs "start" before each
case, so a case that killed the interpreter is named. Categories: zip member names, zip
bombs (each member), duplicate members, config references to arbitrary code (every
position a config holds an object), pickles (every file position), HDF5 (links,
virtual/external data, huge declared and compressed-bomb datasets), deep nesting,
oversized attributes.
"""
from __future__ import annotations

import io
import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest

import kerastorch as keras

CHILD = Path(__file__).with_name("adversarial_child.py")
MEMORY_LIMIT = 3 * 1024 ** 3  # address space: torch + kerastorch need ~1 GiB; every bomb declares more than the rest
PAYLOAD_MODULE = "kt_payload"


# --------------------------------------------------------------------- raw builders
def write_zip(path, members) -> None:
    """A zip file written byte by byte, so duplicates, hostile names and precompressed data are possible.

    ``members``: (name, data) with ``data`` bytes (stored) or a (deflated bytes, crc, size) tuple.
    """
    out, central = bytearray(), bytearray()
    for name, data in members:
        if isinstance(data, tuple):
            comp, crc, size, method = (*data, 8)
        else:
            comp, crc, size, method = data, zlib.crc32(data), len(data), 0
        raw_name = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(comp), size,
                           len(raw_name), 0) + raw_name + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(comp),
                               size, len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    start = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    Path(path).write_bytes(bytes(out))


_BOMBS: dict[int, tuple] = {}


def deflate_bomb(chunks: int):
    """(deflated bytes, crc, size) of ``chunks`` x 4 MiB of zeros, built without compressing them all."""
    if chunks not in _BOMBS:
        block = bytes(1 << 22)
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
        again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)  # the state repeats after a full flush
        data = first + again * (chunks - 1) + comp.flush()
        crc = 0
        for _ in range(chunks):
            crc = zlib.crc32(block, crc)
        _BOMBS[chunks] = (data, crc, chunks << 22)
    return _BOMBS[chunks]


def members_of(path) -> list:
    with zipfile.ZipFile(path) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


def replace_member(members, name, data) -> list:
    return [(n, data if n == name else d) for n, d in members]


def h5_bytes(build) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


def edit_h5_member(members, edit) -> list:
    buffer = io.BytesIO(dict(members)["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    return replace_member(members, "model.weights.h5", buffer.getvalue())


def find_layer(config, name):
    """The layer entry named ``name`` anywhere in a (possibly nested) model config."""
    if isinstance(config, dict):
        if config.get("config", {}).get("name") == name if isinstance(config.get("config"), dict) else False:
            return config
        values = config.values()
    elif isinstance(config, list):
        values = config
    else:
        return None
    for value in values:
        found = find_layer(value, name)
        if found is not None:
            return found
    return None


class Evil:
    """Unpickling this writes the marker file (pickle calls ``exec`` with the code below)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'a').write('unpickled\\n')",))


# --------------------------------------------------------------------- the saved model everything derives from
def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"), keras.layers.Dense(2, name="d2")])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    base = root / "base"
    base.mkdir()
    model = _model()
    model.save(base / "m.keras")
    model.save(base / "m.h5")
    model.save_weights(base / "w.weights.h5")
    model.save_weights(base / "w.h5")
    checksum = float(sum(np.asarray(w, dtype=np.float64).sum() for w in model.get_weights()))
    payload = root / "payload"
    payload.mkdir()
    marker = str(root / "MARKER")
    (payload / f"{PAYLOAD_MODULE}.py").write_text(
        f"MARKER = {marker!r}\n"
        "open(MARKER, 'a').write('imported\\n')\n"
        "def payload(*args, **kwargs):\n    open(MARKER, 'a').write('called\\n')\n"
        "class Payload:\n"
        "    def __init__(self, *args, **kwargs):\n        open(MARKER, 'a').write('instantiated\\n')\n"
        "    @classmethod\n    def from_config(cls, config):\n        return cls()\n")
    return {"root": root, "base": base, "checksum": checksum, "payload": payload, "marker": marker}


# --------------------------------------------------------------------- categories
def cases_zip_names(env, folder):
    good = members_of(env["base"] / "m.keras")
    cases = []
    for i, name in enumerate(["../escape.txt", "/tmp/kt_absolute_member.txt", "assets/../../escape.txt",
                              "..\\escape_windows.txt", "C:/escape_drive.txt", "config.json/../../x"]):
        path = folder / f"names_{i}.keras"
        write_zip(path, [*good, (name, b"written outside")])
        cases.append({"id": f"member name {name!r}", "path": str(path), "op": "load_model", "expect": "refuse"})
    path = folder / "benign_extra.keras"
    write_zip(path, [*good, ("assets/readme.txt", b"fine")])
    cases.append({"id": "benign extra member (control)", "path": str(path), "op": "load_model", "expect": "load"})
    return cases


def cases_zip_bombs(env, folder):
    good = members_of(env["base"] / "m.keras")
    bomb = deflate_bomb(80)  # 320 MiB of zeros in ~330 KB
    cases = []
    for member in ("config.json", "model.weights.h5", "metadata.json", "assets/vocabulary.txt"):
        path = folder / f"bomb_{member.replace('/', '_')}.keras"
        members = replace_member(good, member, bomb) if member in dict(good) else [*good, (member, bomb)]
        write_zip(path, members)
        for op in ("load_model", "load_weights"):
            cases.append({"id": f"deflate bomb in {member} ({op})", "path": str(path), "op": op, "expect": "refuse"})
    # Below the bomb floor the member is read (bounded memory) and refused as invalid content.
    path = folder / "small_bomb_config.keras"
    write_zip(path, replace_member(good, "config.json", deflate_bomb(40)))
    cases.append({"id": "160 MiB deflated config.json (under the floor)", "path": str(path), "op": "load_model",
                  "expect": "refuse"})
    return cases


def cases_zip_duplicates(env, folder):
    good = members_of(env["base"] / "m.keras")
    config = json.loads(dict(good)["config.json"])
    evil = json.loads(json.dumps(config))
    find_layer(evil, "d1")["config"]["activation"] = {"module": PAYLOAD_MODULE, "class_name": "function",
                                                      "config": "payload", "registered_name": "payload"}
    cases = []
    for member, other in (("config.json", json.dumps(evil).encode()),
                          ("model.weights.h5", h5_bytes(lambda f: f.create_group("layers"))),
                          ("metadata.json", b"{}")):
        for order in ("first", "last"):
            path = folder / f"dup_{member}_{order}.keras"
            extra = (member, other)
            members = [extra, *good] if order == "first" else [*good, extra]
            write_zip(path, members)
            cases.append({"id": f"duplicate {member} (altered copy {order})", "path": str(path), "op": "load_model",
                          "expect": "refuse"})
    return cases


def _function_ref(module, name):
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def _class_ref(module="kt_payload", name="Payload"):
    return {"module": module, "class_name": name, "config": {}, "registered_name": f"{module}>{name}"}


def cases_config_refs(env, folder):
    good = members_of(env["base"] / "m.keras")
    config = json.loads(dict(good)["config.json"])
    positions = {
        "layer": lambda c: c["config"]["layers"].__setitem__(
            next(i for i, entry in enumerate(c["config"]["layers"]) if entry.get("config", {}).get("name") == "d1"),
            {**_class_ref(), "name": "d1", "build_config": {"input_shape": [None, 4]}}),
        "model class": lambda c: c.update(_class_ref() | {"config": c["config"]}),
        "activation (function)": lambda c: find_layer(c, "d1")["config"].update(
            activation=_function_ref(PAYLOAD_MODULE, "payload")),
        "activation (dotted string)": lambda c: find_layer(c, "d1")["config"].update(activation="kt_payload.payload"),
        "activation (builtins.exec)": lambda c: find_layer(c, "d1")["config"].update(
            activation=_function_ref("builtins", "exec")),
        "activation (os.system)": lambda c: find_layer(c, "d1")["config"].update(
            activation=_function_ref("os", "system")),
        "initializer": lambda c: find_layer(c, "d1")["config"].update(kernel_initializer=_class_ref()),
        "regularizer": lambda c: find_layer(c, "d1")["config"].update(kernel_regularizer=_class_ref()),
        "constraint": lambda c: find_layer(c, "d1")["config"].update(kernel_constraint=_class_ref()),
        "dtype policy": lambda c: find_layer(c, "d1")["config"].update(dtype=_class_ref()),
        "loss": lambda c: c["compile_config"].update(loss=_function_ref(PAYLOAD_MODULE, "payload")),
        "loss (class)": lambda c: c["compile_config"].update(loss=_class_ref()),
        "metric": lambda c: c["compile_config"].update(metrics=[_function_ref(PAYLOAD_MODULE, "payload")]),
        "metric (class)": lambda c: c["compile_config"].update(metrics=[_class_ref()]),
        "optimizer": lambda c: c["compile_config"].update(optimizer=_class_ref()),
        "learning-rate schedule": lambda c: c["compile_config"]["optimizer"]["config"].update(
            learning_rate=_class_ref()),
        "custom object (registered name only)": lambda c: find_layer(c, "d1")["config"].update(
            kernel_initializer={"module": None, "class_name": "Payload", "config": {},
                                "registered_name": "Custom>Payload"}),
        "lambda layer bytecode": lambda c: c["config"]["layers"].append(
            {"module": "keras.layers", "class_name": "Lambda", "config": {
                "name": "lam", "function": {"class_name": "__lambda__", "config": {
                    "code": "4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA"
                            "+gdwYXlsb2Fk2gg8bGFtYmRhPgEAAADzAAAAAA==", "defaults": None, "closure": None}}},
             "registered_name": None}),
    }
    # A training configuration that cannot be rebuilt leaves the model loaded but uncompiled (with a
    # warning), or (losses, metrics: today's compile_from_config) compiled with the reference kept as an
    # unresolved name that fails at fit time; either way nothing named by the file is imported or run.
    # The unknown dtype-policy object falls back to the default policy.
    uncompiled = {"optimizer", "learning-rate schedule"}
    inert = {"loss", "loss (class)", "metric", "metric (class)"}
    cases = []
    for position, edit in positions.items():
        evil = json.loads(json.dumps(config))
        edit(evil)
        path = folder / f"ref_{len(cases)}.keras"
        write_zip(path, replace_member(good, "config.json", json.dumps(evil).encode()))
        expect = ("refuse_or_uncompiled" if position in uncompiled else
                  "refuse_or_load" if position in inert or position == "dtype policy" else "refuse")
        cases.append({"id": f".keras config: {position}", "path": str(path), "op": "load_model", "expect": expect})
    # The legacy .h5 full-model file holds its configs in attributes.
    for position, key in (("layer", "model_config"), ("loss", "training_config")):
        path = folder / f"legacy_ref_{position}.h5"
        path.write_bytes((env["base"] / "m.h5").read_bytes())
        with h5py.File(path, "r+") as f:
            value = json.loads(f.attrs[key])
            if position == "layer":
                find_layer(value, "d1").update(_class_ref(), config={"name": "d1"})
            else:
                value["loss"] = _function_ref(PAYLOAD_MODULE, "payload")
            f.attrs[key] = json.dumps(value).encode()
        cases.append({"id": f"legacy .h5 {key}: {position}", "path": str(path), "op": "load_model",
                      "expect": "refuse" if position == "layer" else "refuse_or_load"})
    return cases


def cases_pickles(env, folder):
    evil = pickle.dumps(Evil(env["marker"]))
    good = members_of(env["base"] / "m.keras")
    cases = []
    for member, expect in (("config.json", "refuse"), ("model.weights.h5", "refuse"), ("metadata.json", "load"),
                           ("assets/state.pkl", "load")):
        path = folder / f"pickle_{member.replace('/', '_')}.keras"
        members = replace_member(good, member, evil) if member in dict(good) else [*good, (member, evil)]
        write_zip(path, members)
        # metadata.json and assets are never read by kerastorch: the model loads, the pickle stays inert.
        cases.append({"id": f"pickle as {member}", "path": str(path), "op": "load_model", "expect": expect})
    for suffix in (".keras", ".h5", ".weights.h5", ".pt"):
        path = folder / f"raw_pickle{suffix}"
        path.write_bytes(evil)
        op = "load_model" if suffix in (".keras", ".h5") else "load_weights"
        cases.append({"id": f"bare pickle named *{suffix}", "path": str(path), "op": op, "expect": "refuse"})
    import torch
    path = folder / "torch_with_object.pt"
    torch.save({"d1.kernel": Evil(env["marker"])}, path)
    cases.append({"id": "torch.save archive with a code-running object", "path": str(path), "op": "load_weights",
                  "expect": "refuse"})
    for key in ("model_config", "training_config"):
        path = folder / f"pickle_attr_{key}.h5"
        path.write_bytes((env["base"] / "m.h5").read_bytes())
        with h5py.File(path, "r+") as f:
            f.attrs[key] = np.void(evil)
        cases.append({"id": f"pickle in .h5 attribute {key}", "path": str(path), "op": "load_model",
                      "expect": "refuse"})
    for dtype in ("opaque", "vlen bytes"):
        path = folder / f"pickle_dataset_{dtype.replace(' ', '_')}.h5"
        path.write_bytes((env["base"] / "w.h5").read_bytes())
        with h5py.File(path, "r+") as f:
            del f["d1/d1/kernel:0"]
            if dtype == "opaque":
                f["d1/d1/kernel:0"] = np.void(evil)
            else:
                dset = f.create_dataset("d1/d1/kernel:0", shape=(1,), dtype=h5py.vlen_dtype(np.uint8))
                dset[0] = np.frombuffer(evil, dtype=np.uint8)
        cases.append({"id": f"pickle as a weight dataset ({dtype})", "path": str(path), "op": "load_weights",
                      "expect": "refuse"})
    return cases


def cases_hdf5(env, folder):
    secret = folder / "secret.h5"
    with h5py.File(secret, "w") as f:
        f["data"] = np.full((4, 3), 7.0, "float32")
    cases = []

    def variant(name, source, op, expect, edit):
        path = folder / name
        path.write_bytes((env["base"] / source).read_bytes())
        with h5py.File(path, "r+") as f:
            edit(f)
        cases.append({"id": name, "path": str(path), "op": op, "expect": expect})

    def swap(where, make):
        def edit(f):
            shape, dtype = f[where].shape, f[where].dtype
            data = f[where][()]
            del f[where]
            make(f, where, shape, dtype, data)
        return edit

    def external_link(f, where, shape, dtype, data):
        f[where] = h5py.ExternalLink(str(secret), "/data")

    def virtual(f, where, shape, dtype, data):
        layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
        layout[...] = h5py.VirtualSource(str(secret), "data", shape=shape)
        f.create_virtual_dataset(where, layout)

    def external_raw(f, where, shape, dtype, data):
        raw = folder / "raw.bin"
        data.astype(dtype).tofile(raw)
        f.create_dataset(where, shape=shape, dtype=dtype, external=[(str(raw), 0, h5py.h5f.UNLIMITED)])

    def soft(f, where, shape, dtype, data):
        f["/same_values"] = data
        f[where] = h5py.SoftLink("/same_values")

    def huge_declared(f, where, shape, dtype, data):
        f.create_dataset(where, shape=(1 << 30, 3), dtype=dtype, chunks=(1 << 16, 3))  # 12 GiB, nothing stored

    def compressed_bomb(f, where, shape, dtype, data):
        chunk = 1 << 20
        dset = f.create_dataset(where, shape=(80 * chunk,), dtype="float32", chunks=(chunk,), compression="gzip")
        packed = zlib.compress(bytes(4 * chunk), 9)
        for i in range(80):  # 320 MiB of zeros, ~330 KB on disk
            dset.id.write_direct_chunk((i * chunk,), packed)

    legacy_model, legacy_weights, v3_weights = "model_weights/d1/d1/kernel:0", "d1/d1/kernel:0", "layers/dense/vars/0"
    for kind, make in (("external_link", external_link), ("virtual", virtual), ("external_raw", external_raw),
                       ("huge_declared", huge_declared), ("compressed_bomb", compressed_bomb)):
        variant(f"{kind}.h5", "m.h5", "load_model", "refuse", swap(legacy_model, make))
        variant(f"{kind}_w.h5", "w.h5", "load_weights", "refuse", swap(legacy_weights, make))
        variant(f"{kind}.weights.h5", "w.weights.h5", "load_weights", "refuse", swap(v3_weights, make))
    variant("soft_link.h5", "m.h5", "load_model", "load", swap(legacy_model, soft))
    variant("soft_link.weights.h5", "w.weights.h5", "load_weights", "load", swap(v3_weights, soft))
    variant("hard_link_cycle.weights.h5", "w.weights.h5", "load_weights", "refuse",
            lambda f: f.__setitem__("layers/dense/loop", f["layers"]))
    variant("ext_link_group.weights.h5", "w.weights.h5", "load_weights", "refuse",
            lambda f: f.__setitem__("layers/extra", h5py.ExternalLink(str(secret), "/")))
    good = members_of(env["base"] / "m.keras")
    for kind, make in (("external_link", external_link), ("virtual", virtual), ("huge_declared", huge_declared),
                       ("compressed_bomb", compressed_bomb)):
        path = folder / f"{kind}_in_archive.keras"
        write_zip(path, edit_h5_member(good, swap(v3_weights, make)))
        cases.append({"id": f"{kind} in .keras weights", "path": str(path), "op": "load_model", "expect": "refuse"})
    return cases


def cases_nesting(env, folder):
    good = members_of(env["base"] / "m.keras")
    cases = []
    path = folder / "deep_json.keras"
    write_zip(path, replace_member(good, "config.json", b"[" * 200_000 + b"]" * 200_000))
    cases.append({"id": "config.json nested 200k deep", "path": str(path), "op": "load_model", "expect": "refuse"})
    path = folder / "deep_json_attr.h5"
    path.write_bytes((env["base"] / "m.h5").read_bytes())
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    cases.append({"id": "model_config attribute nested 100k deep", "path": str(path), "op": "load_model",
                  "expect": "refuse"})
    text = dict(good)["config.json"].decode()
    for i in range(2000):  # a model nested 2000 levels deep in its own config (built as text: json recurses)
        text = ('{"module": "keras", "class_name": "Sequential", "registered_name": null, '
                f'"config": {{"name": "s{i}", "layers": [{text}]}}}}')
    path = folder / "deep_models.keras"
    write_zip(path, replace_member(good, "config.json", text.encode()))
    cases.append({"id": "Sequential nested 2000 deep", "path": str(path), "op": "load_model", "expect": "refuse"})

    def deep_groups(f):
        g = f["layers/dense"]
        for i in range(200):
            g = g.create_group(f"g{i}")
    path = folder / "deep_groups.weights.h5"
    path.write_bytes((env["base"] / "w.weights.h5").read_bytes())
    with h5py.File(path, "r+") as f:
        deep_groups(f)
    cases.append({"id": "HDF5 groups nested 200 deep", "path": str(path), "op": "load_weights", "expect": "refuse"})
    path = folder / "deep_groups.keras"
    write_zip(path, edit_h5_member(good, deep_groups))
    cases.append({"id": "HDF5 groups nested 200 deep in .keras", "path": str(path), "op": "load_model",
                  "expect": "refuse"})
    return cases


def cases_attributes(env, folder):
    cases = []

    def rebuilt(name, source, edit):
        """A copy of ``source`` in the latest HDF5 layout (dense attribute storage: attributes over 64 KiB)."""
        path = folder / name
        def copy_group(src, dst):
            for key, value in src.attrs.items():
                dst.attrs[key] = value
            for key in src:
                if isinstance(src[key], h5py.Group):
                    copy_group(src[key], dst.create_group(key, track_order=True))
                else:
                    src.copy(src[key], dst, name=key)
        with h5py.File(env["base"] / source, "r") as src, \
                h5py.File(path, "w", libver="latest", track_order=True) as dst:
            copy_group(src, dst)
            edit(dst)
        return path

    def chunked_names(f):
        for i in range(10_001):
            f.attrs[f"layer_names{i}"] = np.array([b"d1"])
        del f.attrs["layer_names"]
    cases.append({"id": "layer_names split into 10001 chunks", "op": "load_weights", "expect": "refuse",
                  "path": str(rebuilt("chunked.h5", "w.h5", chunked_names))})
    cases.append({"id": "layer_names with 1.1M names", "op": "load_weights", "expect": "refuse",
                  "path": str(rebuilt("many_names.h5", "w.h5", lambda f: f.attrs.__setitem__(
                      "layer_names", np.array([b"d1"] * 1_100_000))))})
    cases.append({"id": "weight_names listing 500k missing weights", "op": "load_weights", "expect": "refuse",
                  "path": str(rebuilt("many_weights.h5", "w.h5", lambda f: f["d1"].attrs.__setitem__(
                      "weight_names", np.array([f"w{i}".encode() for i in range(500_000)]))))})
    cases.append({"id": "model_weights keras_version as an array of 1M strings", "op": "load_model",
                  "expect": "refuse", "path": str(rebuilt("version_array.h5", "m.h5", lambda f: f[
                      "model_weights"].attrs.__setitem__("keras_version", np.array([b"2.15.0"] * 1_000_000))))})

    def padded_config(f):
        text = json.loads(f.attrs["model_config"])
        f.attrs["model_config"] = (json.dumps(text) + " " * (32 << 20)).encode()
    cases.append({"id": "model_config of 32 MiB (valid, padded) loads", "op": "load_model", "expect": "load",
                  "path": str(rebuilt("big_config.h5", "m.h5", padded_config))})

    def numeric_attr(f):
        f.attrs["model_config"] = np.zeros((1 << 20,), dtype="float64")
    cases.append({"id": "model_config as an 8 MiB float array", "op": "load_model", "expect": "refuse",
                  "path": str(rebuilt("numeric_config.h5", "m.h5", numeric_attr))})
    return cases


CATEGORIES = {
    "zip_names": cases_zip_names, "zip_bombs": cases_zip_bombs, "zip_duplicates": cases_zip_duplicates,
    "config_refs": cases_config_refs, "pickles": cases_pickles, "hdf5": cases_hdf5, "nesting": cases_nesting,
    "attributes": cases_attributes,
}


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def run_category(env, category: str):
    root = env["root"]
    folder = root / category
    folder.mkdir()
    cases = CATEGORIES[category](env, folder)
    cwd = root / f"cwd_{category}"
    cwd.mkdir()
    (root / f"{category}.json").write_text(json.dumps(cases))
    results_file = root / f"{category}.results.jsonl"
    before = _snapshot(root)
    proc = subprocess.run([sys.executable, str(CHILD), str(root / f"{category}.json"), str(results_file),
                           str(MEMORY_LIMIT), str(env["payload"]), str(cwd)],
                          capture_output=True, text=True, timeout=240, check=False)
    lines = [json.loads(line) for line in results_file.read_text().splitlines()] if results_file.exists() else []
    done = {r["id"]: r for r in lines if r["phase"] == "done"}
    started = [r["id"] for r in lines if r["phase"] == "start"]
    assert proc.returncode == 0 and len(done) == len(cases), (
        f"child exited with {proc.returncode} during case {started[-1] if started else None!r}:\n{proc.stderr[-3000:]}")
    after = _snapshot(root)
    changed = {k for k in after if before.get(k) != after[k]} | (set(before) - set(after))
    assert changed == {f"{category}.results.jsonl"}, f"files changed by loading: {sorted(changed)}"
    assert not os.path.exists(env["marker"]), Path(env["marker"]).read_text()
    return cases, done


def _check(env, cases, done) -> dict:
    problems, tally = [], {}
    for case in cases:
        r = done[case["id"]]
        tally[r["outcome"]] = tally.get(r["outcome"], 0) + 1
        if r["payload_imported"]:
            problems.append(f"{case['id']}: imported the payload module")
        if r.get("memory_error"):
            problems.append(f"{case['id']}: ran out of memory before refusing ({r['message']})")
        if case["expect"] == "refuse" and r["outcome"] != "refused":
            problems.append(f"{case['id']}: expected a refusal, got {r['outcome']} {r.get('type')} {r.get('message')}")
        if r["outcome"] == "error":
            problems.append(f"{case['id']}: unclean failure {r['type']}: {r['message']}")
        if case["expect"] == "refuse_or_uncompiled" and r["outcome"] == "loaded" and r["compiled"]:
            problems.append(f"{case['id']}: compiled from a configuration naming foreign code")
        if case["expect"] in ("refuse_or_uncompiled", "refuse_or_load") and r["outcome"] == "loaded" \
                and abs(r["checksum"] - env["checksum"]) > 1e-5:
            problems.append(f"{case['id']}: loaded wrong weights")
        if case["expect"] == "load":
            if r["outcome"] != "loaded":
                problems.append(f"{case['id']}: expected a load, got {r.get('type')}: {r.get('message')}")
            elif abs(r["checksum"] - env["checksum"]) > 1e-5:
                problems.append(f"{case['id']}: loaded wrong weights")
    assert not problems, "\n".join(problems)
    return tally


FAST = ["zip_names", "zip_duplicates", "config_refs", "pickles", "nesting"]
SLOW = ["zip_bombs", "hdf5", "attributes"]  # build hundreds of MiB of declared data or a million attributes


@pytest.mark.parametrize("category", FAST + [pytest.param(c, marks=pytest.mark.slow) for c in SLOW])
def test_adversarial_category(env, category):
    cases, done = run_category(env, category)
    tally = _check(env, cases, done)
    print(f"{category}: {len(cases)} cases, outcomes {tally}")


def test_suite_covers_every_category():
    assert set(FAST + SLOW) == set(CATEGORIES)


def test_side_effect_detectors_fire(env):
    """The payload module and the pickle really write the marker when run: the checks above can fail."""
    evil = pickle.dumps(Evil(env["marker"]))
    code = (f"import sys, pickle; sys.path.insert(0, {str(env['payload'])!r}); import {PAYLOAD_MODULE}; "
            f"pickle.loads({evil!r})")
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert Path(env["marker"]).read_text().split() == ["imported", "unpickled"]
    finally:
        Path(env["marker"]).unlink(missing_ok=True)
