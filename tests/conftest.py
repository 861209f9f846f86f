from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "truth").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
