"""Every data file a review reads, loaded once before any packet is: a broken one stops the
command with its name and the reason (issue #22).

Before, a broken honour list or rule pack failed inside each packet's stage, was logged, and
the packet's report was headed 未发现问题 (no problem found) with exit code 0: the one failure
that must never look like success. The loaders are the ones the stages use (each cached), so a
file that passes here is the file the review reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _loaders() -> list[tuple[str, Callable[[], Any]]]:
    from shenbao.extractors.classify.jurisdiction import load_jurisdiction_rules
    from shenbao.extractors.classify.rules import load_rules
    from shenbao.extractors.evidence.phrases import load_phrases
    from shenbao.extractors.form.labels import LabelTable
    from shenbao.extractors.form.typed import load_settings
    from shenbao.matchers.honours import load_honours
    from shenbao.pipeline.corroboration import CorroborationTable
    from shenbao.reports.summary import load_summary_config
    from shenbao.rules.pack import available_packs, load_pack

    loaders: list[tuple[str, Callable[[], Any]]] = [
        ("honours", load_honours),
        ("certificates", load_phrases),
        ("document types", load_rules),
        ("jurisdictions", load_jurisdiction_rules),
        ("labels", LabelTable.load),
        ("field grammars", load_settings),
        ("corroboration", CorroborationTable.load),
        ("summary columns", load_summary_config),
    ]
    for key in available_packs():
        loaders.append((f"rule pack {key}", lambda key=key: load_pack(key)))
    return loaders


def data_problems() -> list[str]:
    """One line per data file that does not load: what it is and why (the loaders' messages
    name the file)."""
    problems = []
    for what, load in _loaders():
        try:
            load()
        except Exception as exc:  # any loader's failure is the data's, reported the same way
            problems.append(f"{what}: {exc}")
    return problems
