from __future__ import annotations

import logging
from pathlib import Path

import pytest

# Prefect stops its temporary server at interpreter exit, after pytest has closed the captured
# streams; its last log line would then print a "Logging error" traceback under the test summary.
logging.raiseExceptions = False

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "truth").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
