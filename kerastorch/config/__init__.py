"""``keras.config``: global settings, plus kerastorch's switches back to Keras's defaults."""
from kerastorch._core.settings import enable_unsafe_deserialization  # noqa: F401
from kerastorch.backend.config import (
                                       backend,
                                       epsilon,
                                       floatx,
                                       get_device,
                                       image_data_format,
                                       set_device,
                                       set_epsilon,
                                       set_floatx,
                                       set_image_data_format,
)
from kerastorch.backend.defaults import get as get_default
from kerastorch.backend.defaults import set as set_default
from kerastorch.backend.defaults import use_keras_defaults
from kerastorch.config.settings import (
                                       disable_flash_attention,
                                       disable_interactive_logging,
                                       disable_traceback_filtering,
                                       enable_flash_attention,
                                       enable_interactive_logging,
                                       enable_traceback_filtering,
                                       is_flash_attention_enabled,
                                       is_interactive_logging_enabled,
                                       is_nnx_enabled,
                                       is_traceback_filtering_enabled,
                                       max_epochs,
                                       max_steps_per_epoch,
                                       set_backend,
                                       set_max_epochs,
                                       set_max_steps_per_epoch,
)
from kerastorch.mixed_precision import dtype_policy, set_dtype_policy

__all__ = ["backend", "epsilon", "floatx", "get_default", "get_device", "image_data_format", "set_default",
           "set_device", "set_epsilon", "set_floatx", "set_image_data_format", "use_keras_defaults",
           "disable_flash_attention", "disable_interactive_logging", "disable_traceback_filtering", "dtype_policy",
           "enable_flash_attention", "enable_interactive_logging", "enable_traceback_filtering",
           "enable_unsafe_deserialization", "is_flash_attention_enabled", "is_interactive_logging_enabled",
           "is_nnx_enabled", "is_traceback_filtering_enabled", "max_epochs", "max_steps_per_epoch", "set_backend",
           "set_dtype_policy", "set_max_epochs", "set_max_steps_per_epoch"]
