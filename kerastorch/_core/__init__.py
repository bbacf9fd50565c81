"""The ground floor of kerastorch: settings, naming, nests, identifier tables, defaults.

Everything else in the package may import these modules; they import nothing from
kerastorch above themselves (torch and the standard library only). The public homes
of these functions are ``keras.config`` and ``keras.backend``, which re-export them:
``kerastorch.backend`` is the Keras 2 ``K.*`` façade built on ``ops``, so it sits
above ``ops`` while the settings it shares live here, below everything.

Floors, lowest first (``tests/test_import_layering.py`` holds the authoritative table):
``_core`` < ``ops`` < activations/initializers/regularizers/constraints/losses <
metrics/optimizers/utils < backend/graph/callbacks/mixed_precision < ``layers`` <
``trainer`` < ``models`` < ``saving`` < ``seq2seq`` < ``config`` and the package root.
"""
