"""quietboard: a privacy-hardened static board for anonymous peer-support groups."""

__version__ = "0.1.0"
