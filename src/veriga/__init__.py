"""Veriga: find, prove and break the trafficking chain."""

__version__ = "0.1.0"
