"""kerastorch's version: one place, read by the package root and written into saved files."""

__version__ = "0.1.0"
