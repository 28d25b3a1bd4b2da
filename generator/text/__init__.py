"""Pure text: scrub, sanitise, identifying details, crisis language."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def loaded_on_first_use(name: str) -> ModuleType:
    """The module NAME, run only when one of its names is first looked up.

    The finders of identifying details and crisis language load phonenumbers,
    python-stdnum and their rules (about 0.07 s); a build, which never asks
    them anything, should not pay for them. The standard library's LazyLoader
    (the importlib documentation's recipe).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
