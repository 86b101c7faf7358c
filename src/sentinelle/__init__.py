"""Sentinelle: the software of a French municipal urban supervision centre (CSU)."""

__version__ = "0.1.0"
