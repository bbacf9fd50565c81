"""One module per file format: ``keras_v3`` (``.keras`` and ``.weights.h5``), ``legacy_h5``
(Keras 1/2 and tf-keras HDF5) and ``torch_state`` (``torch.save`` state dicts).

Each reads a file fully (guarded by ``saving.file_utils``) before anything is applied to a
model, and walks the model generically: the per-layer knowledge (the Keras 3 object tree,
legacy weight upgrades) is in the layers' ``_keras3_tree``/``_upgrade_legacy_weights`` hooks.
"""
