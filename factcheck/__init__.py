"""factcheck: numeric claims in Chinese reports, and the ones that contradict each other."""
__version__ = "0.1.0"
