"""Yimen (一门): the host of a city's single-entry government app."""

__version__ = "0.1.0"
