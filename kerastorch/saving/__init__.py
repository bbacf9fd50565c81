"""``keras.saving``: saving and loading models and weights, and object (de)serialization.

Heavy modules (h5py, the format readers) are imported on first use, so
``import kerastorch`` stays fast.
"""
from __future__ import annotations

from kerastorch.saving.object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                                   get_registered_name, get_registered_object,
                                                   register_keras_serializable)


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Save a whole model: ``.keras`` (Keras 3 archive) or ``.h5`` (legacy tf-keras HDF5)."""
    from kerastorch.saving import saving_api
    return saving_api.save_model(model, filepath, overwrite=overwrite, include_optimizer=include_optimizer, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved as ``.keras`` or legacy ``.h5`` (format detected from the file's content)."""
    from kerastorch.saving import saving_api
    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_weights(model, filepath, overwrite=True, **kwargs):
    """Save weights: ``.weights.h5`` (Keras 3), ``.h5`` (legacy Keras) or ``.pt`` (torch state_dict)."""
    from kerastorch.saving import saving_api
    return saving_api.save_weights(model, filepath, overwrite=overwrite, **kwargs)


def load_weights(model, filepath, by_name=False, skip_mismatch=False, **kwargs):
    """Load weights from any supported file into ``model`` (format detected from the content)."""
    from kerastorch.saving import saving_api
    return saving_api.load_weights(model, filepath, by_name=by_name, skip_mismatch=skip_mismatch, **kwargs)


def model_to_json(model, **kwargs):
    from kerastorch.saving import saving_api
    return saving_api.model_to_json(model, **kwargs)


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    from kerastorch.saving import saving_api
    return saving_api.model_from_json(json_string, custom_objects=custom_objects, safe_mode=safe_mode)


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    from kerastorch.saving import saving_api
    return saving_api.clone_model(model, input_tensors=input_tensors, clone_function=clone_function, **kwargs)


def serialize_keras_object(obj):
    from kerastorch.saving import serialization
    return serialization.serialize_keras_object(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    from kerastorch.saving import serialization
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode,
                                                  **kwargs)


def enable_unsafe_deserialization():
    from kerastorch.saving import serialization
    serialization.enable_unsafe_deserialization()


__all__ = ["CustomObjectScope", "clone_model", "custom_object_scope", "deserialize_keras_object",
           "enable_unsafe_deserialization", "get_custom_objects", "get_registered_name", "get_registered_object",
           "load_model", "load_weights", "model_from_json", "model_to_json", "register_keras_serializable",
           "save_model", "save_weights", "serialize_keras_object"]
