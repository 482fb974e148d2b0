"""factcheck: numeric claims in Chinese reports, and the ones that contradict each other.

`factcheck.analyze(...)` (see `factcheck.api`) is imported on first use, so that
`import factcheck` stays light (no pandas, no rules loaded)."""
__version__ = "0.1.0"
__all__ = ["analyze", "Analysis", "Document", "__version__"]

_LAZY = {"analyze", "Analysis", "Document"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'factcheck' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
