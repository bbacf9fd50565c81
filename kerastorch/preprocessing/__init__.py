"""``keras.preprocessing``: Keras's aliases for the dataset and image helpers of ``keras.utils``."""
from kerastorch.preprocessing import image, sequence
from kerastorch.utils.image_dataset_utils import image_dataset_from_directory
from kerastorch.utils.text_dataset_utils import text_dataset_from_directory
from kerastorch.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
