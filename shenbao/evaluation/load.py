"""Finding and reading the truth files and the result files that `shenbao eval` compares.

Truth must be valid: a broken truth file is an error of the benchmark, not of the run being
measured, so it raises. A result that is missing or unreadable is a fact about the run: it is
reported and scored as an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from shenbao.models import Result

RESULT_NAME = "result.json"


class EvalInputError(ValueError):
    """The truth or results location cannot be used at all (absent, empty, broken truth)."""


@dataclass(frozen=True)
class ResultProblem:
    """Why a truth packet has no usable result."""

    packet_id: str
    reason: str
    path: str | None = None


def truth_files(truth_dir: Path) -> list[Path]:
    """`<packet_id>.json` files of a truth directory, or of `truth/` inside a corpus root."""
    truth_dir = Path(truth_dir)
    if not truth_dir.is_dir():
        raise EvalInputError(f"truth directory not found: {truth_dir}")
    if (truth_dir / "truth").is_dir():
        truth_dir = truth_dir / "truth"
    files = sorted(p for p in truth_dir.glob("*.json") if p.is_file())
    if not files:
        raise EvalInputError(f"no truth files (*.json) in {truth_dir}")
    return files


def load_truth(truth_dir: Path) -> dict[str, Result]:
    """Every truth packet by id (the file stem, which is what results are looked up by)."""
    truth: dict[str, Result] = {}
    for path in truth_files(truth_dir):
        try:
            truth[path.stem] = Result.from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValidationError) as exc:
            raise EvalInputError(f"invalid truth file {path}: {_short(exc)}") from exc
    return truth


def find_result_file(results_dir: Path, packet_id: str) -> Path | None:
    """The result of one packet: `<id>/result.json`, `<id>.json`, or one level deeper
    (`<run>/<id>/result.json`, as `shenbao batch --out OUT` dates its runs). When several
    runs hold the packet, the last in name order wins (dated run folders sort by time)."""
    for candidate in (results_dir / packet_id / RESULT_NAME, results_dir / f"{packet_id}.json"):
        if candidate.is_file():
            return candidate
    nested = sorted(p for p in results_dir.glob(f"*/{_glob_escape(packet_id)}/{RESULT_NAME}") if p.is_file())
    return nested[-1] if nested else None


def load_results(results_dir: Path, packet_ids: list[str]) -> tuple[dict[str, Result], list[ResultProblem]]:
    """The readable results of the given packets, and what went wrong with the others."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise EvalInputError(f"results directory not found: {results_dir}")
    results: dict[str, Result] = {}
    problems: list[ResultProblem] = []
    for packet_id in packet_ids:
        path = find_result_file(results_dir, packet_id)
        if path is None:
            problems.append(ResultProblem(packet_id, "missing"))
            continue
        try:
            results[packet_id] = Result.from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValidationError) as exc:
            problems.append(ResultProblem(packet_id, f"invalid: {_short(exc)}", str(path)))
    return results, problems


def _glob_escape(name: str) -> str:
    # Packet ids are file names; brackets in one must not turn into a glob character class.
    return "".join(f"[{c}]" if c in "[]*?" else c for c in name)


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where + ': ' if where else ''}{first.get('msg', 'invalid')}{more}"
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
