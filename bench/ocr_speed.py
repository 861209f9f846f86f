"""OCR engine bench: speed, CPU, memory and agreement of the project's OCR engines on corpus pages.

    .venv/bin/python bench/ocr_speed.py [--count 12] [--engines rapidocr,paddleocr] [--threads 2]
                                        [--corpus ../shared/corpus] [--out out/bench/ocr_speed.json]
    .venv/bin/python bench/ocr_speed.py --orientation [--count 8] [--engines rapidocr]

Pages: scanned PDF pages (no text layer) rendered at 200 dpi with pypdfium2, plus the page images of
image-folder and zip packets, picked evenly over packets so every jurisdiction and format appears.
The pages are written once as PNG; each engine then runs `read_page` (orientation + deskew +
recognition, as the pipeline calls it) in its own subprocess, so load time and peak RSS are that
engine's alone. Reported per engine: median wall and CPU seconds per page, pages/minute, load time,
peak RSS. The corpus truth has no full-page text, so accuracy is reported as agreement between
engines: character error rate of one engine's page text against the other's (whitespace removed).

--orientation turns each picked page 0/90/180/270 degrees and reports how often `read_page` finds
the turn (only pages that read upright as given are used).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp"}
JURISDICTION_PREFIXES = {
    "ccc": "changchun",
    "hhht": "hohhot",
    "lpq": "liangping",
    "lvl": "lvliang",
    "whu": "wuhan",
}


# ---------------------------------------------------------------- page selection


def _packet_pages(path: Path, dpi: int) -> list[tuple[str, str, object]]:
    """(format, label, loader) for every image page of a packet; text-layer PDF pages are skipped."""
    pages: list[tuple[str, str, object]] = []
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception:  # unreadable packets are part of the corpus; not OCR material
            return []
        for i in range(len(pdf)):
            if len(pdf[i].get_textpage().get_text_range().strip()) >= 10:
                continue  # has a text layer: never OCR'd

            def load(i: int = i) -> np.ndarray:
                doc = pdfium.PdfDocument(str(path))
                return np.asarray(doc[i].render(scale=dpi / 72).to_pil().convert("RGB"))

            pages.append(("scan_pdf", f"{path.name} p.{i + 1}", load))
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = sorted(n for n in zf.namelist() if Path(n).suffix.lower() in IMAGE_SUFFIXES)
        for name in names:

            def load(name: str = name) -> np.ndarray:
                with zipfile.ZipFile(path) as zf, zf.open(name) as f:
                    return np.asarray(Image.open(f).convert("RGB"))

            pages.append(("zip", f"{path.name}/{Path(name).name}", load))
    elif path.is_dir():
        for file in sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):

            def load(file: Path = file) -> np.ndarray:
                return np.asarray(Image.open(file).convert("RGB"))

            pages.append(("image_folder", f"{path.name}/{file.name}", load))
    return pages


def pick_pages(corpus: Path, count: int, dpi: int) -> list[tuple[str, str, np.ndarray]]:
    """`count` pages spread over packets (round-robin over jurisdictions, then formats), each
    packet's pages sampled at evenly spaced positions. Deterministic."""
    by_jur: dict[str, list[list[tuple[str, str, object]]]] = {}
    for packet in sorted((corpus / "packets").iterdir()):
        pages = _packet_pages(packet, dpi)
        if pages:
            jur = JURISDICTION_PREFIXES.get(packet.name.split("-")[0], "other")
            by_jur.setdefault(jur, []).append(pages)
    # Within a jurisdiction alternate formats so folders/zips are not crowded out by PDFs.
    for packets in by_jur.values():
        packets.sort(key=lambda pages: (pages[0][0] == "scan_pdf", pages[0][1]))
    chosen: list[tuple[str, str, object]] = []
    round_no = 0
    while len(chosen) < count and any(by_jur.values()):
        for j, jur in enumerate(sorted(by_jur)):
            packets = by_jur[jur]
            if not packets or len(chosen) >= count:
                continue
            pages = packets[round_no % len(packets)]
            pos = (round_no * 5 + 3 * j + 1) % len(pages)  # a different position per round and jurisdiction
            page = pages[pos]
            if page not in chosen:
                chosen.append(page)
        round_no += 1
        if round_no > 50:
            break
    return [(fmt, label, load()) for fmt, label, load in chosen]  # type: ignore[operator]


# ---------------------------------------------------------------- worker (one engine per process)


def run_worker(
    engine_name: str, page_dir: Path, out: Path, threads: int, only: list[str] | None = None
) -> None:
    t0 = time.perf_counter()
    c0 = time.process_time()
    from shenbao.extractors.ocr import get_engine

    engine = get_engine(engine_name, threads=threads)
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    results = []
    for png in sorted(page_dir.glob("*.png")):
        if only is not None and png.stem not in only:
            continue
        rgb = np.asarray(Image.open(png).convert("RGB"))
        w0, c0 = time.perf_counter(), time.process_time()
        page = engine.read_page(rgb)
        results.append(
            {
                "page": png.stem,
                "wall_s": time.perf_counter() - w0,
                "cpu_s": time.process_time() - c0,
                "rotation": page.rotation,
                "skew": page.skew,
                "lines": [[ln.text, ln.confidence] for ln in page.lines],
                "timings": page.timings,
            }
        )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
    out.write_text(
        json.dumps(
            {
                "engine": engine_name,
                "version": engine.version,
                "load_s": load_s,
                "load_cpu_s": load_cpu,
                "peak_rss_mb": peak_rss_mb,
                "pages": results,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def run_orientation_worker(engine_name: str, page_dir: Path, out: Path, threads: int) -> None:
    from shenbao.extractors.ocr import get_engine

    engine = get_engine(engine_name, threads=threads)
    rows = []
    for png in sorted(page_dir.glob("*.png")):
        rgb = np.asarray(Image.open(png).convert("RGB"))
        base = engine.read_page(rgb)
        if base.rotation != 0:
            rows.append({"page": png.stem, "skipped": f"reads as turned {base.rotation} as given"})
            continue
        for turn in (90, 180, 270):
            # Turn the upright page clockwise by `turn`; reading it upright needs `turn` counter-clockwise.
            turned = np.ascontiguousarray(np.rot90(rgb, -turn // 90))
            w0 = time.perf_counter()
            page = engine.read_page(turned)
            rows.append(
                {
                    "page": png.stem,
                    "turned": turn,
                    "found": page.rotation,
                    "wall_s": time.perf_counter() - w0,
                    "orientation_s": page.timings.get("orientation", 0.0),
                    "lines": len(page.lines),
                }
            )
        rows.append(
            {
                "page": png.stem,
                "turned": 0,
                "found": 0,
                "wall_s": base.timings["total"],
                "orientation_s": base.timings.get("orientation", 0.0),
                "lines": len(base.lines),
            }
        )
    out.write_text(json.dumps({"engine": engine_name, "rows": rows}, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- report


def page_text(lines: list) -> str:
    return "".join("".join(text.split()) for text, _ in lines)


def cer(hyp: str, ref: str) -> tuple[int, int]:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(hyp, ref), len(ref)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), no GPU, {platform.system()} {platform.release()}"


def report(results: dict[str, dict], labels: dict[str, str]) -> str:
    out = [f"Date {date.today().isoformat()}; machine: {machine()}; pages: {len(labels)}", ""]
    out.append("| engine | median s/page | median CPU-s/page | pages/min | load s | peak RSS MB |")
    out.append("|---|---|---|---|---|---|")
    for name, res in results.items():
        walls = [p["wall_s"] for p in res["pages"]]
        cpus = [p["cpu_s"] for p in res["pages"]]
        out.append(
            f"| {name} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | "
            f"{60 * len(walls) / sum(walls):.1f} | {res['load_s']:.1f} | {res['peak_rss_mb']:.0f} |"
        )
    names = list(results)
    if len(names) >= 2:
        a, b = names[0], names[1]
        pa = {p["page"]: p for p in results[a]["pages"]}
        pb = {p["page"]: p for p in results[b]["pages"]}
        out += ["", f"Agreement, {b} measured against {a}:", ""]
        out.append("| page | chars | CER % | rotation a/b | skew a/b |")
        out.append("|---|---|---|---|---|")
        tot_d = tot_n = 0
        for key in sorted(pa):
            ta, tb = page_text(pa[key]["lines"]), page_text(pb[key]["lines"])
            d, n = cer(tb, ta)
            tot_d, tot_n = tot_d + d, tot_n + n
            out.append(
                f"| {labels[key]} | {n} | {100 * d / max(n, 1):.2f} | {pa[key]['rotation']}/{pb[key]['rotation']} | "
                f"{pa[key]['skew']:.2f}/{pb[key]['skew']:.2f} |"
            )
        out.append(f"| all | {tot_n} | {100 * tot_d / max(tot_n, 1):.2f} | | |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--count", type=int, default=12, help="pages to read (default 12)")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--engines", default="rapidocr,paddleocr")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "bench" / "ocr_speed.json")
    ap.add_argument("--orientation", action="store_true", help="measure orientation finding instead")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--orientation-worker", help=argparse.SUPPRESS)
    ap.add_argument("--page-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--only", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        only = args.only.split(",") if args.only else None
        run_worker(args.worker, args.page_dir, args.result, args.threads, only)
        return 0
    if args.orientation_worker:
        run_orientation_worker(args.orientation_worker, args.page_dir, args.result, args.threads)
        return 0

    if not (args.corpus / "packets").is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    with tempfile.TemporaryDirectory(prefix="ocr_bench_") as tmp:
        page_dir = Path(tmp) / "pages"
        page_dir.mkdir()
        labels = {}
        for i, (fmt, label, rgb) in enumerate(pick_pages(args.corpus, args.count, args.dpi)):
            key = f"{i:03d}"
            Image.fromarray(rgb).save(page_dir / f"{key}.png")
            labels[key] = f"{label} ({fmt})"
            print(f"page {key}: {labels[key]} {rgb.shape[1]}x{rgb.shape[0]}", flush=True)
        results: dict[str, dict] = {}
        # Other work on the machine comes and goes: run the engines in turns over halves of the
        # pages (A1 B1 B2 A2) so neither gets all the quiet or all the busy minutes.
        keys = sorted(labels)
        if args.orientation:
            schedule = [(name, None) for name in engines]
        else:
            halves = [keys[: len(keys) // 2 or 1], keys[len(keys) // 2 or 1 :]]
            schedule = [(name, halves[0]) for name in engines] + [
                (name, halves[1]) for name in reversed(engines)
            ]
        for run_no, (name, only) in enumerate(schedule):
            if only is not None and not only:
                continue
            res_path = Path(tmp) / f"{name}.{run_no}.json"
            flag = "--orientation-worker" if args.orientation else "--worker"
            cmd = [
                sys.executable,
                __file__,
                flag,
                name,
                "--page-dir",
                str(page_dir),
                "--result",
                str(res_path),
                "--threads",
                str(args.threads),
            ]
            if only is not None:
                cmd += ["--only", ",".join(only)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name}: failed ({proc.returncode})\n{proc.stderr[-3000:]}", file=sys.stderr)
                continue
            part = json.loads(res_path.read_text(encoding="utf-8"))
            print(
                f"{name} ({len(only) if only else 'all'} pages): {time.perf_counter() - t0:.0f} s", flush=True
            )
            if name not in results:
                results[name] = part
                results[name]["runs"] = 1
            elif args.orientation:
                results[name]["rows"] += part["rows"]
            else:
                prev = results[name]
                prev["pages"] = sorted(prev["pages"] + part["pages"], key=lambda p: p["page"])
                prev["load_s"] = (prev["load_s"] * prev["runs"] + part["load_s"]) / (prev["runs"] + 1)
                prev["peak_rss_mb"] = max(prev["peak_rss_mb"], part["peak_rss_mb"])
                prev["runs"] += 1
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps({"labels": labels, "results": results}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        if args.orientation:
            for name, res in results.items():
                rows = [r for r in res["rows"] if "turned" in r]
                ok = sum(r["turned"] == r["found"] for r in rows)
                print(f"\n{name}: orientation found {ok}/{len(rows)}")
                for r in res["rows"]:
                    if "skipped" in r or r["turned"] != r["found"]:
                        print("  ", labels[r["page"]], r)
                if rows:
                    print(
                        f"  median orientation step {statistics.median(r['orientation_s'] for r in rows):.2f} s"
                    )
        else:
            print()
            print(report(results, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
