from kerastorch.layers.merging.add import Add, add
from kerastorch.layers.merging.average import Average, average
from kerastorch.layers.merging.base_merge import Merge
from kerastorch.layers.merging.concatenate import Concatenate, concatenate
from kerastorch.layers.merging.dot import Dot, dot
from kerastorch.layers.merging.maximum import Maximum, maximum
from kerastorch.layers.merging.minimum import Minimum, minimum
from kerastorch.layers.merging.multiply import Multiply, multiply
from kerastorch.layers.merging.subtract import Subtract, subtract

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Merge", "Minimum", "Multiply", "Subtract", "add",
           "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]
