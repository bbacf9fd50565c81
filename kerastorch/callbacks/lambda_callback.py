"""`LambdaCallback`: build a callback from plain functions."""
from __future__ import annotations

from typing import Any, Callable

from kerastorch.callbacks.callback import BATCH_HOOK_ALIASES, Callback

_HOOKS = frozenset(
    {
        "on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
        "on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end",
        "on_batch_begin", "on_batch_end",
    }
    | set(BATCH_HOOK_ALIASES)
)


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given.

    Functions take the same arguments as the hooks they replace:
    `on_epoch_begin/end(epoch, logs)`, `on_train_begin/end(logs)`,
    `on_train_batch_begin/end(batch, logs)`; any other hook (e.g.
    `on_test_batch_end`) can be given by name as a keyword argument.
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        on_train_batch_begin: Callable | None = None,
        on_train_batch_end: Callable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        unknown = sorted(set(kwargs) - _HOOKS)
        if unknown:
            raise ValueError(
                f"LambdaCallback received unknown hooks {unknown}. "
                f"Valid hook names are: {sorted(_HOOKS)}."
            )
        hooks = dict(kwargs)
        hooks.update(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"`{name}` must be callable. Received: {fn!r}")
            # Instance attributes shadow the methods; CallbackList sees them.
            setattr(self, name, fn)
