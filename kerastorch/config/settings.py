"""The ``keras.config`` switches live on the ground floor (``kerastorch._core.settings``); re-exported."""
from kerastorch._core.settings import (  # noqa: F401
    disable_flash_attention, disable_interactive_logging, disable_traceback_filtering, enable_flash_attention, enable_interactive_logging, enable_traceback_filtering, enable_unsafe_deserialization, is_flash_attention_enabled, is_interactive_logging_enabled, is_nnx_enabled, is_traceback_filtering_enabled, max_epochs, max_steps_per_epoch, set_backend, set_max_epochs, set_max_steps_per_epoch, unsafe_deserialization_enabled,
)
