from __future__ import annotations

import logging
from pathlib import Path

import pytest

# Prefect stops its temporary server at interpreter exit, after pytest has closed the captured
# streams; its last log line would then print a "Logging error" traceback under the test summary.
logging.raiseExceptions = False

# shenbao.flows sets Prefect's defaults before it imports Prefect, but in a test session a test
# may import Prefect first (its test harness), and Prefect reads its settings once: the embedded
# server's start-up timeout would be Prefect's 20 s, which a fresh database on a busy 2-core CI
# machine was seen to exceed. The same defaults, for the whole session, before anything imports.
from shenbao.flows.settings import configure_prefect  # noqa: E402

configure_prefect()

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "truth").is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
