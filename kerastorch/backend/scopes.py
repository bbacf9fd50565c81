"""``keras.device`` / ``keras.name_scope`` / ``keras.remat`` live in ``kerastorch._core.scopes``; re-exported."""
from kerastorch._core.scopes import current_path, device, name_scope, remat  # noqa: F401
