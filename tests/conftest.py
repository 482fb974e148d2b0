import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "sichuan_quality_interview_2010.txt"


def python_prints(code: str, timeout: float = 120) -> str:
    """What `python -c code` prints in a new interpreter (where nothing is imported yet),
    which must exit 0."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="session")
def pipeline():
    from factcheck.pipeline import Pipeline

    return Pipeline()
