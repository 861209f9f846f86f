"""Scoring pipeline results against ground truth (`shenbao eval TRUTH RESULTS`), per spec/RESULT.md."""

from __future__ import annotations

from shenbao.evaluation.load import EvalInputError, ResultProblem, find_result_file, load_results, load_truth
from shenbao.evaluation.report import format_report
from shenbao.evaluation.score import (
    EvalError,
    EvalReport,
    Match,
    PacketScore,
    Scores,
    Tally,
    build_report,
    evaluate,
    score_packet,
    values_equal,
)

__all__ = [
    "EvalError",
    "EvalInputError",
    "EvalReport",
    "Match",
    "PacketScore",
    "ResultProblem",
    "Scores",
    "Tally",
    "build_report",
    "evaluate",
    "find_result_file",
    "format_report",
    "load_results",
    "load_truth",
    "score_packet",
    "values_equal",
]
