"""``keras.config``: global settings, plus kerastorch's switches back to Keras's defaults."""
from kerastorch.backend.config import (backend, epsilon, floatx, get_device, image_data_format, set_device,
                                       set_epsilon, set_floatx, set_image_data_format)
from kerastorch.backend.defaults import get as get_default
from kerastorch.backend.defaults import set as set_default
from kerastorch.backend.defaults import use_keras_defaults

__all__ = ["backend", "epsilon", "floatx", "get_default", "get_device", "image_data_format", "set_default",
           "set_device", "set_epsilon", "set_floatx", "set_image_data_format", "use_keras_defaults"]
