"""``keras.saving``: saving and loading models and weights, and object (de)serialization.

The top floor of the package: it imports ``layers`` and ``models``, and nothing below it
imports ``saving`` except ``Model.save*``/``load_weights`` and ``BackupAndRestore``, which
call through this module. The object-config format itself (``serialize_keras_object``,
custom-object registration, safe mode) lives in ``kerastorch.layers.serialization``,
because layers rebuild their inner layers from configs.
"""
from __future__ import annotations

from kerastorch.layers.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerastorch.layers.serialization import (
    deserialize_keras_object,
    enable_unsafe_deserialization,
    serialize_keras_object,
)
from kerastorch.models.cloning import clone_model
from kerastorch.saving.api import load_model, load_weights, model_from_json, model_to_json, save_model, save_weights
from kerastorch.saving.file_editor import KerasFileEditor

__all__ = ["CustomObjectScope", "KerasFileEditor", "clone_model", "custom_object_scope", "deserialize_keras_object",
           "enable_unsafe_deserialization", "get_custom_objects", "get_registered_name", "get_registered_object",
           "load_model", "load_weights", "model_from_json", "model_to_json", "register_keras_serializable",
           "save_model", "save_weights", "serialize_keras_object"]
