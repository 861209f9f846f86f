"""Flow throughput bench: scanned packets through the plain chain and the Prefect flows.

    .venv/bin/python bench/flow_throughput.py [--packets 2] [--pages 2]
        [--configs plain,threads,dask1,dask2] [--growth 2] [--out out/bench/flow_throughput.json]

Packets: fixture scanned PDFs (shenbao.fixtures, `scan_pdf`, JPEG pages at 200 dpi, no text layer),
cut to their first `--pages` pages so a run fits a busy 2-core machine; every page is OCR'd (no
OCR cache, no packet cache). Each configuration runs in its own subprocess, so model loading and
peak RSS are its own:

  plain    run_batch, no Prefect (the `--no-prefect` path)
  threads  review_batch flow, thread-pool task runner (the default `shenbao batch`)
  daskN    review_batch flow on a Dask LocalCluster of N worker processes (one thread each,
           SHENBAO_OCR_THREADS = cores / N so the cores are not oversubscribed)

Reported per configuration: wall seconds of the batch (and of the Prefect server start, which
the embedded server adds once per process), pages/minute, packets/hour, peak RSS of the flow
process and of each Dask worker. `--growth N` runs one more thread-runner batch of 10N packets
(N distinct packets under 10 names each) and reports the process RSS after N and after 10N
packets: a leak shows as growth.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

JURISDICTIONS = ("lvliang-2025", "wuhan-2024", "hohhot", "changchun-2025", "liangping-2023")


def build_inputs(folder: Path, packets: int, pages: int) -> int:
    """`packets` scanned packets of (at most) `pages` pages each; returns the page count."""
    import pypdfium2 as pdfium

    from shenbao.fixtures import PacketSpec, build_packet

    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder.parent / "scratch"
    total = 0
    for i in range(packets):
        built = build_packet(
            PacketSpec(f"bench-{i:02d}", JURISDICTIONS[i % len(JURISDICTIONS)], seed=700 + i),
            scratch, "scan_pdf", truth_dir=scratch / "truth",
        )
        src = pdfium.PdfDocument(str(built.path))
        keep = min(pages, len(src))
        cut = pdfium.PdfDocument.new()
        cut.import_pages(src, list(range(keep)))
        cut.save(str(folder / built.path.name))
        total += keep
        cut.close()
        src.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return total


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def child(config: str, input_dir: Path, out_dir: Path) -> dict:
    """Run one configuration in this process and return its figures."""
    import dataclasses

    from shenbao.flows.settings import FlowSettings
    from shenbao.pipeline.review import ReviewOptions

    figures: dict = {"config": config}
    started = time.perf_counter()
    if config == "plain":
        import shenbao.pipeline.reading  # noqa: F401  (imported before the clock, as flows.py does)
        from shenbao.pipeline.batch import run_batch

        t0 = time.perf_counter()
        summary = run_batch(input_dir, out_dir, ReviewOptions())
        figures["batch_s"] = time.perf_counter() - t0
    else:
        from shenbao.flows.flows import prefect_available, run_review_batch

        t0 = time.perf_counter()
        if not prefect_available():
            raise SystemExit("no Prefect API")
        figures["prefect_start_s"] = round(time.perf_counter() - t0, 2)
        settings = dataclasses.replace(FlowSettings.from_env(), cache=False)
        cluster = client = None
        if config.startswith("dask"):
            from distributed import Client, LocalCluster

            workers = int(config[4:] or 1)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
            settings = dataclasses.replace(settings, task_runner="dask", dask_address=cluster.scheduler_address,
                                           dask_workers=workers)
        t0 = time.perf_counter()
        summary = run_review_batch(input_dir, out_dir, ReviewOptions(), db="none", settings=settings)
        figures["batch_s"] = time.perf_counter() - t0
        if client is not None:
            figures["worker_peak_rss_mb"] = sorted(
                round(v, 0) for v in client.run(_peak_rss_mb).values()
            )
            client.close()
            cluster.close()
    figures["packets"] = len(summary.packets)
    figures["pages"] = sum(p.pages for p in summary.packets)
    figures["statuses"] = sorted({p.status for p in summary.packets})
    figures["peak_rss_mb"] = round(_peak_rss_mb(), 0)
    figures["pages_per_min"] = round(figures["pages"] / figures["batch_s"] * 60, 2)
    figures["packets_per_hour"] = round(figures["packets"] / figures["batch_s"] * 3600, 1)
    figures["batch_s"] = round(figures["batch_s"], 1)
    figures["process_s"] = round(time.perf_counter() - started, 1)
    return figures


def growth(input_dir: Path, out_dir: Path, n: int) -> dict:
    """One thread-runner batch of 10n packets; RSS of this process after n and after 10n."""
    import dataclasses

    from shenbao.flows.flows import prefect_available, run_review_batch
    from shenbao.flows.settings import FlowSettings
    from shenbao.pipeline.review import ReviewOptions

    if not prefect_available():
        raise SystemExit("no Prefect API")
    rss: dict[int, float] = {}
    done = [0]

    def sample(_outcome) -> None:
        done[0] += 1
        if done[0] in (1, n, 10 * n):
            rss[done[0]] = round(_rss_mb(), 0)

    settings = dataclasses.replace(FlowSettings.from_env(), cache=False)
    started = time.perf_counter()
    run_review_batch(input_dir, out_dir, ReviewOptions(), db="none", settings=settings, on_packet=sample)
    return {"config": "growth", "packets": done[0], "rss_mb_after": rss, "batch_s": round(time.perf_counter() - started, 1)}


def run_child(args: list[str], env: dict[str, str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"config": args[1], "error": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=2)
    parser.add_argument("--pages", type=int, default=2, help="pages per packet (first pages kept)")
    parser.add_argument("--configs", default="plain,threads,dask1,dask2")
    parser.add_argument("--growth", type=int, default=0, help="N for the RSS-after-N-vs-10N run (0: skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench" / "flow_throughput.json")
    parser.add_argument("--child", nargs=3, metavar=("CONFIG", "INPUT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        config, input_dir, out_dir = args.child
        if config == "growth":
            figures = growth(Path(input_dir), Path(out_dir), int(os.environ["BENCH_GROWTH_N"]))
        else:
            figures = child(config, Path(input_dir), Path(out_dir))
        print(json.dumps(figures, ensure_ascii=False))
        return

    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="shenbao-flow-bench-"))
    report: dict = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()} {cores} cores, {platform.python_version()}",
        "load_avg_at_start": [round(x, 1) for x in os.getloadavg()],
        "packets": args.packets,
        "pages_per_packet": args.pages,
        "runs": [],
    }
    try:
        inputs = work / "packets"
        report["pages"] = build_inputs(inputs, args.packets, args.pages)
        base_env = {**os.environ, "SHENBAO_CACHE": "0", "PREFECT_HOME": str(work / "prefect")}
        base_env.pop("PREFECT_API_URL", None)  # the embedded server, as `shenbao batch` uses it
        for config in [c.strip() for c in args.configs.split(",") if c.strip()]:
            env = dict(base_env)
            workers = int(config[4:] or 1) if config.startswith("dask") else 1
            env["SHENBAO_OCR_THREADS"] = str(max(1, cores // workers))
            figures = run_child(["--child", config, str(inputs), str(work / f"out-{config}")], env)
            figures["ocr_threads"] = env["SHENBAO_OCR_THREADS"]
            print(json.dumps(figures, ensure_ascii=False), file=sys.stderr)
            report["runs"].append(figures)
        if args.growth:
            many = work / "many"
            many.mkdir()
            distinct = sorted(inputs.iterdir())[: args.growth]
            for copy in range(10):
                for path in distinct:
                    shutil.copy(path, many / f"{path.stem}-copy{copy}{path.suffix}")
            env = {**base_env, "BENCH_GROWTH_N": str(len(distinct)), "SHENBAO_OCR_THREADS": str(cores)}
            figures = run_child(["--child", "growth", str(many), str(work / "out-growth")], env)
            print(json.dumps(figures, ensure_ascii=False), file=sys.stderr)
            report["runs"].append(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["load_avg_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
