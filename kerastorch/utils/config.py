"""``keras.utils.Config``: a dict whose keys are also attributes, and that can be frozen.

Keras uses it for hyperparameter bundles: ``config.learning_rate = 1e-3`` and
``config["learning_rate"]`` are the same entry; after ``freeze()`` every change raises.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any


class Config:
    """``Config(a=1)``; ``c.b = 2``; ``c["b"]``; ``c.freeze()``; ``c.as_dict()``; ``c.to_json()``."""

    __frozen = False  # name-mangled, so it never collides with a user key

    def __init__(self, **kwargs: Any) -> None:
        self._config = kwargs
        self.__frozen = False
        self.__initialized = True

    def freeze(self) -> None:
        """Make the config immutable."""
        self.__frozen = True

    def unfreeze(self) -> None:
        self.__frozen = False

    @property
    def frozen(self) -> bool:
        return self.__frozen

    def _raise_if_frozen(self) -> None:
        if self.__frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self) -> dict:
        return copy.copy(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def pop(self, *args: Any) -> Any:
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._raise_if_frozen()
        self._config.update(*args, **kwargs)

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)

    def __setattr__(self, name: str, value: Any) -> None:
        # Before __init__ finishes (and for its own private fields) this is a plain object.
        if name == "_config" or name.startswith("_Config__") or "_Config__initialized" not in self.__dict__:
            object.__setattr__(self, name, value)
            return
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_config":
            raise AttributeError(name)
        try:
            return self._config[name]
        except KeyError as error:
            raise AttributeError(f"Unknown attribute: '{name}'.") from error

    def __setitem__(self, key: str, item: Any) -> None:
        self._raise_if_frozen()
        self._config[key] = item

    def __getitem__(self, key: str) -> Any:
        return self._config[key]

    def __delitem__(self, key: str) -> None:
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item: str) -> bool:
        return item in self._config

    def __len__(self) -> int:
        return len(self._config)

    def __iter__(self) -> Iterator[str]:
        return iter(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config}>"

    def __copy__(self) -> Config:
        return Config(**self._config)

    def __deepcopy__(self, memo: dict) -> Config:
        return Config(**copy.deepcopy(self._config, memo))
