"""How the flows run, read from the environment, and the Prefect set-up they need.

With nothing configured the flows report to Prefect's embedded (ephemeral) server: a local
uvicorn subprocess over SQLite under a project-local PREFECT_HOME (var/prefect/), analytics off,
nothing sent anywhere. With PREFECT_API_URL set, the same flows report to that server instead.

Prefect reads its settings when it is first imported, so `configure_prefect()` must run before
`import prefect`; shenbao.flows.flows calls it at the top.

Environment:
  SHENBAO_PREFECT=0            run the plain stage chain (run_batch), no Prefect at all
  SHENBAO_TASK_RUNNER=dask     spread ingest and page OCR over Dask (default: threads)
  SHENBAO_DASK_ADDRESS=tcp://… use a running Dask scheduler (default: a LocalCluster per run)
  SHENBAO_DASK_WORKERS=2       workers of that LocalCluster
  SHENBAO_DASK_PROCESSES=0     LocalCluster workers as threads of one process (default: processes)
  SHENBAO_FLOW_THREADS=4       threads of the default (thread pool) task runner
  SHENBAO_DB_URL=…             SQLAlchemy URL of the results store (default OUT/shenbao.sqlite)
  SHENBAO_CACHE=0              do not reuse cached packet results
  SHENBAO_CACHE_DIR=…          where cached packet results live (default PREFECT_HOME/shenbao-cache)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_FALSE = {"0", "false", "no", "off", ""}

# Prefect settings shenbao chooses unless the user set them: local, quiet, private.
_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",  # Prefect's client-side telemetry honours this
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # The embedded server starts in 5-15 s on a busy 2-core machine; Prefect's default 20 s
    # timeout was seen to expire on the very first start (database creation).
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # Prefect logs every task run at INFO; the CLI shows its own progress.
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def truthy(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() not in _FALSE


def project_root() -> Path:
    """The checkout shenbao runs from (where pyproject.toml is), else the working directory."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


@dataclass(frozen=True)
class FlowSettings:
    use_prefect: bool = True
    task_runner: str = "threads"  # "threads" | "dask"
    dask_address: str | None = None
    dask_workers: int = 2
    dask_processes: bool = True
    threads: int = 4
    db_url: str | None = None
    cache: bool = True
    cache_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FlowSettings:
        env = os.environ if env is None else env
        runner = env.get("SHENBAO_TASK_RUNNER", "threads").strip().lower() or "threads"
        if runner not in ("threads", "dask"):
            raise ValueError(f"SHENBAO_TASK_RUNNER={runner!r}: choose 'threads' or 'dask'")
        cache_dir = env.get("SHENBAO_CACHE_DIR")
        return cls(
            use_prefect=truthy(env.get("SHENBAO_PREFECT"), True),
            task_runner=runner,
            dask_address=env.get("SHENBAO_DASK_ADDRESS") or None,
            dask_workers=max(1, int(env.get("SHENBAO_DASK_WORKERS", "2"))),
            dask_processes=truthy(env.get("SHENBAO_DASK_PROCESSES"), True),
            threads=max(1, int(env.get("SHENBAO_FLOW_THREADS", "4"))),
            db_url=env.get("SHENBAO_DB_URL") or None,
            cache=truthy(env.get("SHENBAO_CACHE"), True),
            cache_dir=Path(cache_dir) if cache_dir else None,
        )


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or project_root() / "var" / "prefect")


def configure_prefect(env: dict[str, str] | None = None) -> Path:
    """Put shenbao's Prefect defaults into the environment (never overriding the user's) and
    return PREFECT_HOME. Without PREFECT_API_URL the embedded server is allowed to start."""
    env = os.environ if env is None else env
    home = Path(env.get("PREFECT_HOME") or project_root() / "var" / "prefect")
    env.setdefault("PREFECT_HOME", str(home))
    for key, value in _PREFECT_DEFAULTS.items():
        env.setdefault(key, value)
    if not env.get("PREFECT_API_URL"):
        env.setdefault("PREFECT_SERVER_EPHEMERAL_ENABLED", "true")
    home.mkdir(parents=True, exist_ok=True)
    return home


def cache_dir(settings: FlowSettings) -> Path:
    return settings.cache_dir or prefect_home() / "shenbao-cache"
