"""Fengqiao (枫桥): case management and command for a township governance centre."""

__version__ = "0.1.0"
