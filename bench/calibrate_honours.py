"""Dev bench: calibrate the honour matcher's threshold (precision/recall of recognition vs threshold).

    .venv/bin/python bench/calibrate_honours.py [--corpus ../shared/corpus] [--ocr /work/ocrcache/pages]
                                                [--seed 7] [--errors]

Labelled claims, each (claimed text, expected title or None, jurisdiction):
  form      every award of the truth files as written on the form (truth `claimed_text`/`title`);
  ocr       the same claims as the OCR engine read them off scanned form pages: OCR line
            segments (split at ；/;) aligned to a truth claim of the same packet (fuzzy ≥ 60),
            kept only where the OCR text differs from the form text;
  noisy     synthetic OCR damage of the form claims: one or two characters of the honour
            replaced by an unrelated character, or one dropped;
  negative  honours that are common in packets but on no recognised list (generic knowledge,
            written below), in the wrappings forms use; expected None.
Nothing here is copied into the matcher: it reads the corpus at run time only.

A prediction at threshold t is the matcher's title when its score ≥ t (ties are None at any t).
precision = right titles / titles given; recall = right titles / claims that have a title.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz  # noqa: E402

from shenbao.matchers.claimtext import normalise_claim  # noqa: E402
from shenbao.matchers.honours import DEFAULT_THRESHOLD, HonourList, load_honours, match_honour  # noqa: E402
from shenbao.matchers.lookalikes import LOOKALIKES  # noqa: E402
from shenbao.matchers.regions import REGIONS  # noqa: E402

FORM_DOCS = {"application_form", "award_table", "summary_table"}

NEGATIVES = (
    "优秀共产党员",
    "三八红旗手",
    "先进工作者",
    "优秀教师",
    "岗位标兵",
    "青年岗位能手",
    "全国青年岗位能手",
    "五一巾帼标兵",
    "技术标兵",
    "优秀员工",
    "劳动竞赛先进个人",
    "工人先锋号",
    "青年文明号",
    "优秀共青团员",
    "安全生产先进个人",
    "技术革新能手",
    "创新能手",
    "大国工匠",
    "三晋工匠",
    "荆楚工匠",
    "长白山技能名师",
    "全国优秀农民工",
    "最美职工",
    "道德模范",
    "优秀技能人才",
    "技能标兵",
    "操作能手",
    "岗位能手",
    "公司首席技师",
    "集团公司技术能手",
    "全国行业技术能手",
    "技术能手标兵",
    "市优秀共产党员",
    "全国职工职业道德建设标兵",
    "巾帼建功标兵",
    "青年技能标兵",
    "首席员工",
    "金牌工人",
    "优秀班组长",
    "全国三八红旗手",
    "省青年岗位能手",
    "市级先进个人",
    "科技进步奖",
    "技术创新成果奖",
    "国家发明专利",
    "师德标兵",
    "优秀党务工作者",
    "劳动模范提名",
    "岗位技术能手",
    "企业首席技师",
)
WRAPPINGS = ("{t}", "{y}年{t}", "{y}年被授予“{t}”荣誉称号", "{t}（{y}年）", "{y}年获{t}称号", "“{t}”")

# characters used to damage a claim: common, and in no look-alike pair (that would be too easy)
_LOOKALIKE_CHARS = set("".join(LOOKALIKES)) | set(LOOKALIKES)
_POOL = [
    c
    for c in "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
    if c not in _LOOKALIKE_CHARS
]


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    expected: str | None
    jurisdiction: str | None


def truth_awards(corpus: Path) -> list[tuple[str, dict, dict]]:
    out = []
    for f in sorted((corpus / "truth").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        for award in data.get("awards", []):
            out.append((data["packet_id"], data, award))
    return out


def form_cases(awards: list[tuple[str, dict, dict]]) -> list[Case]:
    return [Case("form", a["claimed_text"], a.get("title"), d.get("jurisdiction")) for _, d, a in awards]


def ocr_cases(awards: list[tuple[str, dict, dict]], ocr_dir: Path) -> list[Case]:
    by_packet: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for pid, d, a in awards:
        by_packet[pid].append((d, a))
    cases: list[Case] = []
    for pid, items in by_packet.items():
        truth = items[0][0]
        pages = sorted(
            {p for doc in truth.get("documents", []) if doc["type"] in FORM_DOCS for p in doc["pages"]}
        )
        segments: list[str] = []
        for page in pages:
            f = ocr_dir / f"{pid}_p{page:03d}.json"
            if not f.exists():
                continue
            for line in json.loads(f.read_text(encoding="utf-8"))["lines"]:
                text = re.sub(r"^.*?获奖情况[:：]", "", line["text"])
                segments.extend(s for s in re.split(r"[；;]", text) if s.strip())
        for _, award in items:
            claimed = award["claimed_text"]
            want = normalise_claim(claimed)
            best, best_score = None, 0.0
            for seg in segments:
                score = fuzz.ratio(normalise_claim(seg), want)
                if score > best_score:
                    best, best_score = seg, score
            if best is not None and best_score >= 60 and best.strip() != claimed:
                cases.append(Case("ocr", best.strip(), award.get("title"), truth.get("jurisdiction")))
    return cases


def noisy_cases(awards: list[tuple[str, dict, dict]], rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for _, d, a in awards:
        title, text = a.get("title"), a["claimed_text"]
        if not title or title not in text:
            continue
        start = text.index(title)
        # two replaced characters leave too little of a four- or five-character title to
        # expect it back; damage those once only
        for damage in ("swap1", "drop1", "swap2") if len(title) >= 6 else ("swap1", "drop1"):
            chars = list(title)
            picks = rng.sample(range(len(chars)), 2 if damage == "swap2" else 1)
            for i in sorted(picks, reverse=True):
                if damage == "drop1":
                    del chars[i]
                else:
                    chars[i] = rng.choice(_POOL)
            damaged = text[:start] + "".join(chars) + text[start + len(title) :]
            cases.append(Case(f"noisy-{damage}", damaged, title, d.get("jurisdiction")))
    return cases


def negative_cases(rng: random.Random, jurisdictions: list[str]) -> list[Case]:
    cases = []
    for name in NEGATIVES:
        wrap = rng.choice(WRAPPINGS)
        cases.append(
            Case("negative", wrap.format(t=name, y=rng.randint(2005, 2024)), None, rng.choice(jurisdictions))
        )
    return cases


def region_swap_cases(awards: list[tuple[str, dict, dict]], honours: HonourList) -> list[Case]:
    """A recognised title with its place swapped for another (长春市首席技师 -> 武汉市首席技师 is
    listed, 呼和浩特市首席技师 is not): expected the listed title, or None when the swap is unlisted."""
    known = {normalise_claim(spelling): h.title for h, spelling in honours.spellings()}
    cases: list[Case] = []
    seen: set[str] = set()
    for _, _truth, a in awards:
        title = a.get("title")
        if not title or title in seen:
            continue
        seen.add(title)
        for region in REGIONS:
            for name in region.names:
                if not title.startswith(name):
                    continue
                for other in REGIONS:
                    if other.key == region.key or other.level != region.level:
                        continue
                    swapped = other.names[0] + title[len(name) :]
                    cases.append(Case("region-swap", swapped, known.get(normalise_claim(swapped)), None))
                break
    return cases


def evaluate(preds: list[tuple[Case, str | None, float]], t: float) -> dict[str, float]:
    given = right = wrong = has_title = 0
    for case, title, score in preds:
        pred = title if title is not None and score >= t else None
        has_title += case.expected is not None
        if pred is not None:
            given += 1
            if pred == case.expected:
                right += 1
            else:
                wrong += 1
    precision = right / given if given else 1.0
    recall = right / has_title if has_title else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # F0.5: a wrong title costs more than a missed one (it can hide AWARD_UNRECOGNISED or make a
    # claim count as a leader qualification), a missed one only sends the claim to a reviewer
    f05 = 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0
    return {
        "n": len(preds),
        "given": given,
        "right": right,
        "wrong": wrong,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "f05": f05,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--ocr", type=Path, default=Path("/work/ocrcache/pages"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--errors", action="store_true", help="list the misses at the chosen threshold")
    args = ap.parse_args()
    if not (args.corpus / "truth").is_dir():
        print(f"no corpus truth under {args.corpus}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    honours = load_honours()
    awards = truth_awards(args.corpus)
    jurisdictions = sorted({d["jurisdiction"] for _, d, _ in awards})
    cases = (
        form_cases(awards)
        + ocr_cases(awards, args.ocr)
        + noisy_cases(awards, rng)
        + negative_cases(rng, jurisdictions)
        + region_swap_cases(awards, honours)
    )
    preds = []
    for case in cases:
        m = match_honour(case.text, honours, case.jurisdiction, threshold=0.0)
        preds.append((case, m.title, m.score))

    kinds = sorted({c.kind for c in cases})
    print(
        f"{len(honours)} honours; cases: "
        + ", ".join(f"{k} {sum(c.kind == k for c in cases)}" for k in kinds)
    )
    print(
        f"{'t':>5} {'prec':>6} {'recall':>6} {'f1':>6} {'f0.5':>6} {'wrong':>5}  (all cases)"
        f"  | real (form+ocr) prec recall"
    )
    sweep = []
    for t in range(50, 101, 1):
        r = evaluate(preds, t)
        real = evaluate([p for p in preds if p[0].kind in ("form", "ocr")], t)
        sweep.append((t, r))
        if t % 5 == 0 or 70 <= t <= 90:
            print(
                f"{t:>5} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['f05']:6.3f} {r['wrong']:>5}"
                f"  | {real['precision']:6.3f} {real['recall']:6.3f}"
            )
    # the plateau of best F0.5; its middle keeps a margin on both sides
    best = max(r["f05"] for _, r in sweep)
    plateau = [t for t, r in sweep if r["f05"] >= best - 1e-9]
    chosen = plateau[len(plateau) // 2]
    print(
        f"best F0.5 {best:.3f} for t in [{plateau[0]}, {plateau[-1]}]; middle {chosen}; "
        f"matcher default {DEFAULT_THRESHOLD}"
    )
    unlisted = sorted(
        ((score, case.text) for case, title, score in preds if case.expected is None), reverse=True
    )
    print(
        "highest scores of claims that must get no title (ties get none at any threshold): "
        + ", ".join(f"{score} {text!r}" for score, text in unlisted[:5])
    )
    t = DEFAULT_THRESHOLD
    print(f"\nat the default threshold {t}:")
    for kind in kinds:
        r = evaluate([p for p in preds if p[0].kind == kind], t)
        print(
            f"  {kind:<13} n={r['n']:>3} precision {r['precision']:.3f} recall {r['recall']:.3f} wrong {r['wrong']}"
        )
    r = evaluate(preds, t)
    print(
        f"  {'all':<13} n={r['n']:>3} precision {r['precision']:.3f} recall {r['recall']:.3f} wrong {r['wrong']}"
    )
    if args.errors:
        print("\nmisses at the default threshold:")
        for case, title, score in preds:
            pred = title if title is not None and score >= t else None
            if pred != case.expected:
                print(
                    f"  [{case.kind}] {case.text!r} ({case.jurisdiction}) -> {pred} ({score}); expected {case.expected}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
