"""Stored .keras members are read in place (no in-memory copy), CRC-checked, with a fallback for compressed ones."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import kerastorch as keras
from kerastorch.saving import zip_member


def _archive(tmp_path, compression):
    path = tmp_path / f"a{compression}.zip"
    payload = bytes(range(256)) * 1000
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr("first.txt", b"x" * 100)
        zf.writestr("data.bin", payload)
    return path, payload


def test_stored_member_is_a_window_over_the_archive(tmp_path):
    path, payload = _archive(tmp_path, zipfile.ZIP_STORED)
    with zipfile.ZipFile(path) as zf:
        member = zip_member.open_member(path, zf, "data.bin")
    assert isinstance(member, zip_member.MemberFile) and len(member) == len(payload)
    assert member.read() == payload
    member.seek(-10, io.SEEK_END)
    assert member.read(100) == payload[-10:] and member.read(1) == b""
    member.seek(1000)
    assert member.tell() == 1000 and member.read(5) == payload[1000:1005]
    member.close()


def test_compressed_member_falls_back_to_bytes(tmp_path):
    path, payload = _archive(tmp_path, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as zf:
        assert zip_member.open_member(path, zf, "data.bin") == payload


def test_damaged_stored_member_fails_its_crc(tmp_path):
    path, payload = _archive(tmp_path, zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    raw[raw.index(payload[:512]) + 300] ^= 0xFF
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile, match="CRC"):
        zip_member.open_member(path, zf, "data.bin")


def test_keras_archive_loads_through_the_window_and_refuses_a_flipped_weight(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(300, name="d1")])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    kernel = model.get_layer("d1").kernel.detach().numpy().tobytes()
    raw = bytearray(path.read_bytes())
    raw[raw.index(kernel[:64]) + 40] ^= 0x01  # one bit of one weight
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="CRC"):
        keras.saving.load_model(path)
    with pytest.raises(ValueError, match="CRC"):
        model.load_weights(path)
