"""``keras.tasks``: infer the problem from the data, build a sound model, train it well by default.

    from kerastorch import tasks
    model = tasks.build(x, y)        # prints the inferred choices; an ordinary compiled keras.Model
    tasks.fit(model, x, y)           # split, class weights, lr_find -> one-cycle, early stopping
    model.save("model.keras")

See docs/tasks.md. ``api.py`` holds build/fit, ``inference.py`` the rules read from the data,
``blocks.py`` the layers.
"""
from kerastorch.tasks.api import TaskPlan, build, fit, load_image_folder, prepare_inputs
from kerastorch.tasks.inference import TASKS, TargetInfo, class_weights, infer_input_type, infer_target

__all__ = ["TASKS", "TargetInfo", "TaskPlan", "build", "class_weights", "fit", "infer_input_type", "infer_target",
           "load_image_folder", "prepare_inputs"]
