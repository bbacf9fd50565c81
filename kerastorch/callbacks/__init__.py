"""`keras.callbacks`: hooks into fit / evaluate / predict."""
from kerastorch.callbacks.backup_and_restore import BackupAndRestore
from kerastorch.callbacks.callback import Callback
from kerastorch.callbacks.callback_list import CallbackList
from kerastorch.callbacks.csv_logger import CSVLogger
from kerastorch.callbacks.early_stopping import EarlyStopping
from kerastorch.callbacks.history import History
from kerastorch.callbacks.lambda_callback import LambdaCallback
from kerastorch.callbacks.learning_rate_scheduler import LearningRateScheduler
from kerastorch.callbacks.lr_finder import LRFinder
from kerastorch.callbacks.model_checkpoint import ModelCheckpoint
from kerastorch.callbacks.one_cycle import OneCycleScheduler
from kerastorch.callbacks.progbar import Progbar
from kerastorch.callbacks.progbar_logger import ProgbarLogger
from kerastorch.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kerastorch.callbacks.remote_monitor import RemoteMonitor
from kerastorch.callbacks.swap_ema_weights import SwapEMAWeights
from kerastorch.callbacks.tensorboard import TensorBoard
from kerastorch.callbacks.terminate_on_nan import TerminateOnNaN
from kerastorch.callbacks.torch_lr_scheduler import TorchLRScheduler

__all__ = [
    "BackupAndRestore",
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "LRFinder",
    "ModelCheckpoint",
    "OneCycleScheduler",
    "Progbar",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
    "TorchLRScheduler",
]

# Keras names kerastorch deliberately lacks (OrbaxCheckpoint) fail with the reason and the alternative.
from kerastorch._unsupported import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)
