"""Corpus packets made worse than the corpus has them, to measure how the pipeline holds up on
heavier degradation than it was developed on (unseen packets are judged with it).

    .venv/bin/python bench/degraded_corpus.py --out out/degraded            # the default 5 packets
    .venv/bin/shenbao batch out/degraded/lowres --out out/degraded/r_lowres --no-prefect --db none \
        --manifest ../shared/corpus/manifest.csv --registry ../shared/corpus/registry.csv \
        --ocr-cache out/degraded/ocr
    .venv/bin/shenbao eval out/degraded/truth out/degraded/r_lowres          # same for photo, copy

Each chosen packet becomes a folder of page images (a valid packet format) with its own id, so
the corpus truth scores it: `lowres` (120 dpi, 0.3% salt-and-pepper noise, Otsu to 1 bit),
`photo` (200 dpi, corners pulled in 2-4%, light falling from 1.0 to 0.75 across the page, blur
sigma 1, JPEG quality 45) and `copy` (a worn photocopy fed in askew: 150 dpi grey, turned 1.5-3.5
degrees either way, ink lightened to grey on a grey page, 0.4% dark specks, two or three toner
streaks down the page, JPEG quality 60). Seeds come from the packet id and page number: re-runs give the same
images. `truth/` gets the chosen packets' truth files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import zlib
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

DEFAULT_PACKETS = ("ccc-2025-0036", "whu-2024-0035", "lpq-2023-0016", "hhht-0027", "lvl-2025-0030")
A4_WIDTH_INCH = 8.27


def pages(packets: Path, packet_id: str) -> list[tuple[np.ndarray, float]]:
    """(RGB array, dpi) per page of a PDF or image-folder packet."""
    pdf = packets / f"{packet_id}.pdf"
    if pdf.exists():
        doc = pdfium.PdfDocument(str(pdf))
        try:
            return [(np.asarray(doc[i].render(scale=200 / 72).to_pil().convert("RGB")), 200.0)
                    for i in range(len(doc))]
        finally:
            doc.close()
    out = []
    for f in sorted((packets / packet_id).iterdir()):
        image = Image.open(f).convert("RGB")
        out.append((np.asarray(image), image.width / A4_WIDTH_INCH))
    return out


def lowres(rgb: np.ndarray, dpi: float, rng: np.random.Generator) -> Image.Image:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    f = 120.0 / dpi
    gray = cv2.resize(gray, (round(gray.shape[1] * f), round(gray.shape[0] * f)), interpolation=cv2.INTER_AREA)
    noise = rng.random(gray.shape) < 0.003
    salt = rng.random(gray.shape) < 0.5
    gray = gray.copy()
    gray[noise & salt] = 255
    gray[noise & ~salt] = 0
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Image.fromarray(bw).convert("1")


def photo(rgb: np.ndarray, rng: random.Random) -> Image.Image:
    h, w = rgb.shape[:2]

    def inset() -> float:
        return rng.uniform(0.02, 0.04)

    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[inset() * w, inset() * h], [w - inset() * w, inset() * h],
                      [w - inset() * w, h - inset() * h], [inset() * w, h - inset() * h]])
    desk = (rng.randint(70, 120),) * 3
    warped = cv2.warpPerspective(rgb, cv2.getPerspectiveTransform(src, dst), (w, h), flags=cv2.INTER_LINEAR,
                                 borderValue=desk)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = xx * np.cos(angle) + yy * np.sin(angle)
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    lit = (warped.astype(np.float32) * (0.75 + 0.25 * t)[..., None]).clip(0, 255).astype(np.uint8)
    return Image.fromarray(cv2.GaussianBlur(lit, (0, 0), 1.0), "RGB")


def copy(rgb: np.ndarray, dpi: float, rng: random.Random) -> Image.Image:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    f = 150.0 / dpi
    gray = cv2.resize(gray, (round(gray.shape[1] * f), round(gray.shape[0] * f)), interpolation=cv2.INTER_AREA)
    h, w = gray.shape
    # A copier's tone: black prints as dark grey, white as light grey.
    ink, paper = rng.uniform(60, 95), rng.uniform(200, 228)
    toned = (ink + gray.astype(np.float32) / 255.0 * (paper - ink))
    nrng = np.random.default_rng(rng.getrandbits(32))
    toned[nrng.random(toned.shape) < 0.004] = ink
    for _ in range(rng.randint(2, 3)):
        x = rng.randrange(w)
        toned[:, x:x + rng.randint(1, 3)] *= rng.uniform(0.7, 0.85)
    angle = rng.choice((-1, 1)) * rng.uniform(1.5, 3.5)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(toned.clip(0, 255).astype(np.uint8), m, (w, h), flags=cv2.INTER_LINEAR,
                            borderValue=int(paper))
    return Image.fromarray(turned, "L")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--out", type=Path, default=Path("out/degraded"))
    ap.add_argument("--packets", nargs="*", default=list(DEFAULT_PACKETS),
                    help="scanned-PDF or image-folder packet ids (text-layer PDFs render too)")
    args = ap.parse_args()
    (args.out / "truth").mkdir(parents=True, exist_ok=True)
    for packet_id in args.packets:
        low, pho, cop = (args.out / v / packet_id for v in ("lowres", "photo", "copy"))
        for folder in (low, pho, cop):
            folder.mkdir(parents=True, exist_ok=True)
        noise_rng = np.random.default_rng(zlib.crc32(packet_id.encode()))
        count = 0
        for count, (rgb, dpi) in enumerate(pages(args.corpus / "packets", packet_id), start=1):
            lowres(rgb, dpi, noise_rng).save(low / f"{count:03d}.png")
            photo(rgb, random.Random(f"{packet_id}:{count}")).save(pho / f"{count:03d}.jpg", quality=45)
            copy(rgb, dpi, random.Random(f"copy:{packet_id}:{count}")).save(cop / f"{count:03d}.jpg", quality=60)
        shutil.copy(args.corpus / "truth" / f"{packet_id}.json", args.out / "truth" / f"{packet_id}.json")
        print(f"{packet_id}: {count} pages")


if __name__ == "__main__":
    main()
