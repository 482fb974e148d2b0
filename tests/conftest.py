from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "sichuan_quality_interview_2010.txt"


@pytest.fixture(scope="session")
def pipeline():
    from factcheck.pipeline import Pipeline

    return Pipeline()
