"""When a form value is shown to a person as unsure (LOW_CONFIDENCE): a long value read by OCR
at a good per-character confidence is likelier than not to hold a slip; a short one is not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shenbao.pipeline.confidence import value_confidence, value_length
from shenbao.pipeline.reading import _doubt
from shenbao.pipeline.review import ReviewOptions
from shenbao.pipeline.types import Page, PageKind

LONG = "工作室包括理论教室、实操车间和技术研讨室，配有氩弧焊打底相关设备及检测仪器12台套，可同时容纳38人培训。"


def _read(value, reread_from=None):
    return SimpleNamespace(value=value, label=None, reread_from=reread_from, reread_why="")


def _page(kind: PageKind) -> Page:
    return Page(number=2, kind=kind, source="t", width=100, height=100)


def test_a_values_chance_falls_with_its_length():
    assert value_length("0358 6098461") == 11
    assert value_confidence("王建国", 0.98) == pytest.approx(0.98 ** 3)
    assert value_confidence(LONG, 0.98) < 0.5 < value_confidence("0358-6098461", 0.98)


@pytest.mark.parametrize(("value", "confidence", "kind", "doubted"), [
    (LONG, 0.98, PageKind.SCAN, True),  # every character at 0.98: a slip somewhere is likely
    (LONG, 0.999, PageKind.SCAN, False),
    ("王建国", 0.98, PageKind.SCAN, False),
    ("王建国", 0.70, PageKind.SCAN, True),  # under the per-character threshold
    (LONG, 0.98, PageKind.TEXT, False),  # a text layer says what is written
    ("配置专用设备41台套），设备总值", 0.999, PageKind.SCAN, True),  # a bracket without its partner
    (None, 0.5, PageKind.SCAN, False),  # nothing read: MISSING_FIELD's business, not a doubt
])
def test_which_values_are_doubted(value, confidence, kind, doubted):
    assert (_doubt(_read(value), "studio_facilities", _page(kind), confidence, ReviewOptions()) is not None) is doubted


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="low_value_confidence"):
        ReviewOptions(low_value_confidence=1.5)
