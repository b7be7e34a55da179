"""remin: screen bills of materials against China's rare-earth export controls.

The Python API (the calls ``remin check`` is built on; docs/python-api.md)::

    import remin
    bom = remin.read_bom("data/examples/ev-drive-unit.xlsx")
    a = remin.assess(bom, as_of="2026-11-22")          # a.skus, a.findings, a.contributors(sku)
    b = remin.assess(bom.with_origin("MAG-N42DY", "JP"), as_of="2026-11-22")
    remin.compare(a, b).skus                            # shares before/after, verdicts that flip

Names are imported on first use, so ``import remin`` (and the CLI) stays light.
"""
import importlib
import sys
import types

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS = {
    "read_bom": "remin.bom", "Bom": "remin.bom",
    "assess": "remin.api", "run_check": "remin.api", "Assessment": "remin.assess",
    "load_rules": "remin.rules", "load_materials": "remin.composition", "load_rates": "remin.currency",
    "compare": "remin.compare", "Comparison": "remin.compare",
    "sensitivity": "remin.sensitivity", "headroom": "remin.sensitivity", "break_even": "remin.sensitivity",
    "BreakEven": "remin.sensitivity",
    "example_path": "remin.paths",
    "ReminError": "remin.errors", "InputError": "remin.errors", "UsageError": "remin.errors",
}
#: submodules reachable as attributes after a bare ``import remin``
_SUBMODULES = ("plots", "scenarios")

__all__ = sorted(_EXPORTS) + list(_SUBMODULES)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``remin.assess``, ``remin.compare`` and ``remin.sensitivity`` are functions
    and also the names of the modules that hold the engine. Importing such a module
    makes Python set it as an attribute of this package, which would hide the
    function; this keeps the function (the module stays in sys.modules)."""

    def __setattr__(self, name, value):
        if (name in _EXPORTS and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
