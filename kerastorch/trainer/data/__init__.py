"""Data adapters: one per kind of input ``fit``/``evaluate``/``predict`` accept."""
from kerastorch.trainer.data.data_adapter import get_data_adapter, unpack_x_y_sample_weight

__all__ = ["get_data_adapter", "unpack_x_y_sample_weight"]
