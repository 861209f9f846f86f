"""report.html as a person sees it: rendered by headless Chromium, screenshot and DOM checked.

Chromium comes from Debian's `chromium` package; when it is missing and the tests run as root
the session fixture installs it (apt-get, with a time limit). Elsewhere the test is skipped with
the reason. Set SHENBAO_SCREENSHOT=<path> to keep the screenshot (docs/report-screenshot.png is
made that way).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shenbao.reports import render_packet_report
from tests._report_packets import SCRIPT, reviewed_packet

INSTALL_TIMEOUT_S = 900
RUN_TIMEOUT_S = 60
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _install_chromium() -> str:
    """apt-get install chromium (root only); the reason it could not be done otherwise."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not root, cannot apt-get install chromium"
    if not shutil.which("apt-get"):
        return "no apt-get on this system"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    attempts = (["apt-get", "install", "-y", "--no-install-recommends", "chromium"],)
    attempts += (["apt-get", "update"], attempts[0])  # a stale package list: refresh once
    last = ""
    for cmd in attempts:
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            return f"{' '.join(cmd)} timed out after {INSTALL_TIMEOUT_S}s"
        last = (run.stderr or run.stdout)[-400:]
        if run.returncode == 0 and cmd[1] == "install":
            return ""
    return f"apt-get install chromium failed: {last}"


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find_chromium()
    if found is None:
        reason = _install_chromium()
        found = _find_chromium()
        if found is None:
            pytest.skip(f"headless Chromium is not available: {reason or 'not found after install'}")
    return found


def _font_env(tmp: Path) -> dict[str, str]:
    """A fontconfig file that adds the bundled CJK font (wqy-microhei from the
    paperang-p2-fonts-cjk dependency) to the system's, so Chinese renders even on a server
    without CJK fonts."""
    dirs = []
    try:
        import paperang_p2_fonts_cjk

        dirs.append(Path(paperang_p2_fonts_cjk.__file__).parent / "fonts")
    except ImportError:
        pass
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{tmp / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        "utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _chromium(binary: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        env=_font_env(tmp),
    )


def test_report_renders_in_headless_chromium(chromium, tmp_path) -> None:
    ctx, _ = reviewed_packet(tmp_path / "packet")
    report = tmp_path / "report.html"
    report.write_text(render_packet_report(ctx), "utf-8")
    url = report.resolve().as_uri()

    shot = tmp_path / "shot.png"
    run = _chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert shot.is_file(), run.stderr[-1000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape[:2] == (2000, 1280)
    # Not a blank page: text, crops and the coloured severity marks are drawn.
    assert image.std() > 20
    assert len(np.unique(image.reshape(-1, 3) // 16, axis=0)) > 200
    reds = (image[..., 0] > 150) & (image[..., 1] < 90) & (image[..., 2] < 90)
    assert reds.sum() > 500, "error severity colour visible"
    dark_rows = (image.min(axis=2) < 100).any(axis=1).sum()
    assert dark_rows > 400, "text on many rows of the page"

    dump = _chromium(chromium, tmp_path, "--dump-dom", "--window-size=1280,2000", url)
    dom = dump.stdout
    assert "<article" in dom, dump.stderr[-1000:]
    for finding in ctx.result.findings:
        assert f'data-code="{finding.code}"' in dom
    assert dom.count('<img src="data:image/') >= len(ctx.packet.pages) + 3  # thumbnails and crops
    # The hostile strings are text nodes, not elements: nothing ran, nothing was added.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert SCRIPT not in dom
    assert "<script" not in dom.lower()
    assert "PWNED" not in dom.split("</title>")[0]
    body_tag = dom.split("<body", 1)[1].split(">", 1)[0]
    assert "data-pwned" not in body_tag

    keep = os.environ.get("SHENBAO_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
