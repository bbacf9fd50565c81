"""Keras's automatic layer names: ``dense``, ``dense_1``, ``dense_2`` ..."""
from __future__ import annotations

import re
from collections import defaultdict

_UIDS: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return name


def auto_name(prefix: str) -> str:
    """The next free name for ``prefix`` in this session, Keras style."""
    count = _UIDS[prefix]
    _UIDS[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_uids() -> None:
    _UIDS.clear()
