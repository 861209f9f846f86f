from __future__ import annotations

import gc
import hashlib
import io
import math
import stat
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from shenbao.models.result import Units
from shenbao.pipeline.archive import decoded_name
from shenbao.pipeline.images import image_unit_scale, to_rgb_array
from shenbao.pipeline.ingest import IngestLimits, ingest, packet_units, sniff_format
from shenbao.pipeline.types import IngestError, PacketFormat, PageKind
from tests._ingest_builders import (
    A4,
    jpeg_bytes,
    png_bytes,
    png_claiming_size,
    scan_image,
    write_mixed_pdf,
    write_scan_pdf,
    write_text_pdf,
)

SCALE_200 = 200 / 72


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raises(path: Path, reason: str, limits: IngestLimits | None = None, sniffs: bool = False) -> IngestError:
    with pytest.raises(IngestError) as info:
        ingest(path, limits)
    err = info.value
    assert err.reason == reason, err.detail
    assert err.path == path
    # bilingual detail naming the file
    assert path.name in err.detail and any("\u4e00" <= ch <= "\u9fff" for ch in err.detail)
    if limits is None and not sniffs:
        assert sniff_format(path) is None
    return err


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# --- good inputs ----------------------------------------------------------------------------


def test_text_pdf_words_and_rulings(tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "lvl-2025-9001.pdf", pages=2)
    packet = ingest(pdf)
    assert packet.packet_id == "lvl-2025-9001"
    assert packet.format is PacketFormat.TEXT_PDF
    assert packet.sha256 == _sha(pdf)
    assert packet_units(packet) is Units.PT
    assert [p.number for p in packet.pages] == [1, 2]
    page = packet.pages[0]
    assert page.kind is PageKind.TEXT and page.load_image is None
    assert (page.width, page.height) == A4 and page.unit_scale == 1.0
    words = {line.text: line for line in page.lines}
    assert "申报单位名称" in words and "山西鑫海重工集团有限公司" in words
    label = words["申报单位名称"]
    # drawn at baseline y=770 (PDF, y up) with 12 pt glyphs: top-left origin puts it near y=842-770-12
    x0, top, x1, bottom = label.bbox
    assert x0 == pytest.approx(72, abs=0.5) and x1 == pytest.approx(144, abs=1)
    assert 55 < top < bottom < 76 and label.confidence == 1.0
    assert page.source == "lvl-2025-9001.pdf p.1"
    # the 3x3 grid: horizontal rules at y = 842-790, 842-760, 842-730; verticals at x = 60, 190, 500
    horiz = sorted(round(r.y0) for r in page.rulings if r.is_horizontal)
    vert = sorted(round(r.x0) for r in page.rulings if not r.is_horizontal)
    assert horiz == [52, 82, 112] and vert == [60, 190, 500]
    assert all(r.x1 - r.x0 == pytest.approx(440) for r in page.rulings if r.is_horizontal)
    assert sniff_format(pdf) is PacketFormat.TEXT_PDF


def test_scan_pdf_renders_on_demand_at_200_dpi(tmp_path: Path) -> None:
    pdf = write_scan_pdf(tmp_path / "scan.pdf", pages=2)
    packet = ingest(pdf)
    assert packet.format is PacketFormat.SCAN_PDF
    assert packet_units(packet) is Units.PX_200DPI
    page = packet.pages[1]
    assert page.kind is PageKind.SCAN and page.lines == [] and page.load_image is not None
    assert (page.width, page.height) == (math.ceil(A4[0] * SCALE_200), math.ceil(A4[1] * SCALE_200))
    img = page.load_image()
    assert img.dtype == np.uint8 and img.shape == (page.height, page.width, 3)
    assert img.min() < 60 and img.max() > 200  # the drawn scan lines came through
    assert sniff_format(pdf) is PacketFormat.SCAN_PDF


def test_mixed_pdf_units(tmp_path: Path) -> None:
    packet = ingest(write_mixed_pdf(tmp_path / "mixed.pdf"))
    assert packet.format is PacketFormat.MIXED_PDF
    assert [p.kind for p in packet.pages] == [PageKind.TEXT, PageKind.SCAN]
    assert packet_units(packet) is Units.PX_200DPI
    assert packet.pages[0].unit_scale == pytest.approx(SCALE_200)
    assert packet.pages[1].unit_scale == 1.0
    assert sniff_format(packet.path) is PacketFormat.MIXED_PDF


def test_image_folder_natural_order_and_junk_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "hhht-9002"
    folder.mkdir()
    for n, width in ((10, 130), (2, 120), (1, 110)):
        (folder / f"{n}.png").write_bytes(png_bytes(Image.new("L", (width, 160), 200)))
    (folder / "Thumbs.db").write_bytes(b"\x00junk")
    (folder / ".DS_Store").write_bytes(b"Bud1junk")
    (folder / "._1.png").write_bytes(b"\x00\x05\x16\x07")
    packet = ingest(folder)
    assert packet.packet_id == "hhht-9002"
    assert packet.format is PacketFormat.IMAGE_FOLDER
    assert [p.source for p in packet.pages] == ["hhht-9002/1.png", "hhht-9002/2.png", "hhht-9002/10.png"]
    assert [p.width for p in packet.pages] == [110, 120, 130]
    assert packet.pages[2].load_image().shape == (160, 130, 3)
    # no DPI metadata: assumed A4, long side 160 px -> 160/11.69 dpi
    assert packet.pages[0].unit_scale == pytest.approx(200 / (160 / 11.69))
    assert packet.warnings == []
    assert sniff_format(folder) is PacketFormat.IMAGE_FOLDER
    # the folder hash is stable and changes with content
    assert ingest(folder).sha256 == packet.sha256
    (folder / "2.png").write_bytes(png_bytes(Image.new("L", (121, 160), 200)))
    assert ingest(folder).sha256 != packet.sha256


def test_zip_of_images_in_top_folder(tmp_path: Path) -> None:
    members = {f"ccc-9003/{n:03d}.jpg": jpeg_bytes(scan_image((100 + n, 141))) for n in (3, 1, 2)}
    members["__MACOSX/ccc-9003/._001.jpg"] = b"\x00\x05\x16\x07junk"
    members["ccc-9003/readme.txt"] = "扫描件说明".encode()
    z = _zip(tmp_path / "ccc-9003.zip", members)
    before = _sha(z)
    packet = ingest(z)
    assert packet.format is PacketFormat.ZIP and packet.packet_id == "ccc-9003"
    assert [p.width for p in packet.pages] == [101, 102, 103]
    assert packet.pages[0].source == "ccc-9003.zip:ccc-9003/001.jpg"
    assert any("readme.txt" in w for w in packet.warnings)
    img = packet.pages[2].load_image()  # read back from the archive after ingest returned
    assert img.shape == (141, 103, 3)
    assert packet.sha256 == before == _sha(z)
    assert sniff_format(z) is PacketFormat.ZIP


def test_zip_of_pdfs_loads_after_ingest_and_spools_big_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = write_scan_pdf(tmp_path / "b.pdf").read_bytes()
    text = write_text_pdf(tmp_path / "a.pdf").read_bytes()
    z = _zip(tmp_path / "whu-9004.zip", {"2-scan.pdf": scan, "1-form.pdf": text})
    packet = ingest(z)
    assert [p.kind for p in packet.pages] == [PageKind.TEXT, PageKind.SCAN]
    assert packet.pages[1].load_image().shape[2] == 3
    # with a tiny in-memory cap the PDF members go to a temp dir that dies with the packet
    spool_root = tmp_path / "spool"
    spool_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_root))
    spooled = ingest(z, IngestLimits(max_in_memory_bytes=10))
    assert len(list(spool_root.iterdir())) == 2
    page = spooled.pages[1]
    assert page.load_image().shape == (page.height, page.width, 3)
    del spooled, page
    gc.collect()
    assert list(spool_root.iterdir()) == []


def test_single_image_exif_orientation_6_loaded_upright(tmp_path: Path) -> None:
    stored = Image.new("RGB", (80, 40), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 40, 40))  # left half red as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # display = stored rotated 90 degrees clockwise
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(stored, exif=exif.tobytes()))
    packet = ingest(path)
    assert packet.format is PacketFormat.IMAGE
    page = packet.pages[0]
    assert (page.width, page.height) == (40, 80)
    img = page.load_image()
    assert img.shape == (80, 40, 3)
    top, bottom = img[:35].reshape(-1, 3).mean(0), img[45:].reshape(-1, 3).mean(0)
    assert top[0] > 200 and top[2] < 60  # red now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_png_named_pdf_is_an_image_by_content(tmp_path: Path) -> None:
    path = tmp_path / "application.pdf"
    path.write_bytes(png_bytes(scan_image((120, 170))))
    packet = ingest(path)
    assert packet.format is PacketFormat.IMAGE
    assert packet.pages[0].load_image().shape == (170, 120, 3)
    assert sniff_format(path) is PacketFormat.IMAGE


def test_multiframe_tiff_one_page_per_frame(tmp_path: Path) -> None:
    frames = [Image.new("L", (60 + 10 * i, 90), 255) for i in range(3)]
    path = tmp_path / "scans.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    packet = ingest(path)
    assert [p.width for p in packet.pages] == [60, 70, 80]
    assert packet.pages[2].source == "scans.tif frame 3"
    assert packet.pages[1].load_image().shape == (90, 70, 3)


def test_dpi_metadata_used_when_plausible(tmp_path: Path) -> None:
    path = tmp_path / "idcard.png"
    path.write_bytes(png_bytes(Image.new("RGB", (600, 380), "white"), dpi=(150, 150)))
    assert ingest(path).pages[0].unit_scale == pytest.approx(200 / 150, rel=1e-3)  # PNG stores px/metre
    # a camera's 72 dpi on a 4000 px photo would make a 55-inch page: estimate instead
    assert image_unit_scale(4000, 3000, None) == pytest.approx(200 / (4000 / 11.69))


@pytest.mark.parametrize(
    ("size", "read_size"),
    [
        ((992, 1403), (1414, 2000)),  # A4 at 120 dpi: enlarged to a 2000 px long side
        ((1403, 992), (2000, 1414)),  # turned the same
        ((1241, 1754), (1241, 1754)),  # 150 dpi: read as it is
        ((600, 380), (600, 380)),  # no page scan (an ID card photo, a thumbnail): as it is
    ],
)
def test_low_resolution_page_images_are_enlarged_before_reading(tmp_path: Path, size: tuple[int, int],
                                                                read_size: tuple[int, int]) -> None:
    path = tmp_path / "page.png"
    img = Image.new("L", size, 255)
    img.paste(0, (size[0] // 4, size[1] // 4, size[0] // 4 + 10, size[1] // 4 + 10))  # a black square
    path.write_bytes(png_bytes(img.convert("1")))
    page = ingest(path).pages[0]
    assert (page.width, page.height) == read_size
    rgb = page.load_image()
    assert rgb.shape == (read_size[1], read_size[0], 3)
    scale = read_size[0] / size[0]
    # the square is where it was, in the enlarged pixels, and the page still measures A4 in result units
    ys, xs = np.nonzero(rgb[..., 0] < 128)
    assert abs(xs.min() - size[0] // 4 * scale) <= 2 and abs(ys.min() - size[1] // 4 * scale) <= 2
    assert page.unit_scale * page.width == pytest.approx(image_unit_scale(*size, None) * size[0], rel=1e-3)


@pytest.mark.parametrize("mode", ["CMYK", "L", "1", "P", "RGBA", "LA", "I;16", "I", "F"])
def test_every_mode_becomes_rgb_uint8(mode: str) -> None:
    img = Image.new("RGB", (8, 6), (200, 30, 30)).convert(mode) if mode not in ("I;16", "I", "F") else None
    if mode == "I;16":
        img = Image.fromarray(np.full((6, 8), 65535, dtype=np.uint16))
    elif mode == "I":
        img = Image.fromarray(np.full((6, 8), 30000, dtype=np.int32))
    elif mode == "F":
        img = Image.fromarray(np.linspace(0, 1, 48, dtype=np.float32).reshape(6, 8))
    assert img is not None and img.mode == mode
    arr = to_rgb_array(img)
    assert arr.shape == (6, 8, 3) and arr.dtype == np.uint8
    if mode == "I;16":
        assert arr.min() == 255
    if mode == "F":
        assert arr.min() == 0 and arr.max() == 255


def test_transparent_png_lands_on_white_paper() -> None:
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert to_rgb_array(img).min() == 255


def test_input_files_unchanged(tmp_path: Path) -> None:
    pdf = write_mixed_pdf(tmp_path / "m.pdf")
    z = _zip(tmp_path / "z.zip", {"a.pdf": pdf.read_bytes(), "b.png": png_bytes(scan_image((50, 70)))})
    for path in (pdf, z):
        before, mtime = _sha(path), path.stat().st_mtime_ns
        packet = ingest(path)
        for page in packet.pages:
            if page.load_image is not None:
                page.load_image()
        assert _sha(path) == before and path.stat().st_mtime_ns == mtime
        assert packet.sha256 == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf", "z.zip"]


def test_owner_password_only_pdf_is_read_with_warning(tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "owner.pdf", encrypt=StandardEncryption("", ownerPassword="owner"))
    packet = ingest(pdf)
    assert packet.format is PacketFormat.TEXT_PDF
    assert any(line.text == "申报单位名称" for line in packet.pages[0].lines)
    assert any("encrypted" in w for w in packet.warnings)


# --- bad inputs -----------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "lvl-2025-0038.pdf"
    path.write_bytes(b"")
    _raises(path, "empty")


def test_text_file_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "ccc-2025-0040.pdf"
    path.write_text("技能大师工作室申报材料（电子版说明）\n本文件为申报材料清单。\n", encoding="utf-8")
    _raises(path, "not_a_document")


def test_word_document_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    err = _raises(path, "not_a_document")
    assert "Word" in err.detail


def test_truncated_pdf(tmp_path: Path) -> None:
    data = write_scan_pdf(tmp_path / "full.pdf", pages=3).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) * 6 // 10])
    _raises(path, "truncated")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\ntrailer\n<< /Root 99 0 R >>\n%%EOF\n")
    _raises(path, "corrupt")


def test_password_protected_pdf(tmp_path: Path) -> None:
    _raises(write_text_pdf(tmp_path / "secret.pdf", encrypt="secret"), "encrypted")


def test_too_many_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    c = canvas.Canvas(str(path), pagesize=(72, 72))
    for _ in range(501):
        c.showPage()
    c.save()
    _raises(path, "too_many_pages")
    # the limit is inclusive, and counts pages across all documents of a packet
    pdf = write_scan_pdf(tmp_path / "three.pdf", pages=3).read_bytes()
    z = _zip(tmp_path / "two-docs.zip", {"a.pdf": pdf, "b.pdf": pdf})
    assert len(ingest(z, IngestLimits(max_pages=6)).pages) == 6
    _raises(z, "too_many_pages", IngestLimits(max_pages=5))


@pytest.mark.parametrize("size", [(12_000, 10_000), (40_000, 40_000)])  # our check / Pillow's bomb guard
def test_image_over_100_megapixels(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(png_claiming_size(*size))
    _raises(path, "image_too_large")


def test_corrupt_images(tmp_path: Path) -> None:
    jpg = jpeg_bytes(scan_image((300, 400)))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(jpg[: len(jpg) // 2])
    _raises(cut, "corrupt_image", sniffs=True)  # sniffing reads headers only
    assert sniff_format(cut) is PacketFormat.IMAGE
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x11\x22" * 100)
    _raises(garbage, "corrupt_image")


def test_heic_is_refused_as_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.jpg"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100)
    _raises(path, "unsupported_format")


def test_folder_without_images(tmp_path: Path) -> None:
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    (folder / "Thumbs.db").write_bytes(b"junk")
    (folder / ".DS_Store").write_bytes(b"junk")
    _raises(folder, "empty")


@pytest.mark.parametrize("name", ["../evil.png", "/etc/evil.png", "ok/../../evil.png", "C:/evil.png"])
def test_zip_slip_paths(tmp_path: Path, name: str) -> None:
    z = _zip(tmp_path / "slip.zip", {"001.png": png_bytes(scan_image((40, 50))), name: b"x"})
    _raises(z, "zip_slip")


def test_zip_symlink_member(tmp_path: Path) -> None:
    z = tmp_path / "link.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("001.png", png_bytes(scan_image((40, 50))))
        info = zipfile.ZipInfo("002.png")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    _raises(z, "zip_slip")


def test_zip_bomb_ratio_with_default_limits(tmp_path: Path) -> None:
    z = _zip(tmp_path / "bomb.zip", {"001.png": b"\x00" * (11 * 1024 * 1024)})
    assert z.stat().st_size < 100_000
    _raises(z, "zip_bomb")


def test_zip_bomb_total_and_count(tmp_path: Path) -> None:
    png = png_bytes(scan_image((40, 50)))
    z = _zip(tmp_path / "many.zip", {f"{i:03d}.png": png for i in range(6)}, zipfile.ZIP_STORED)
    _raises(z, "zip_bomb", IngestLimits(max_zip_members=5))
    _raises(z, "zip_bomb", IngestLimits(max_zip_total_bytes=len(png) * 5))
    assert len(ingest(z).pages) == 6


def test_nested_zip_refused(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("001.png", png_bytes(scan_image((40, 50))))
    z = _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    err = _raises(z, "nested_archive")
    assert "inner.zip" in err.detail


def test_encrypted_zip_member(tmp_path: Path) -> None:
    z = _zip(tmp_path / "enc.zip", {"001.png": png_bytes(scan_image((40, 50)))}, zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    # set the "encrypted" flag bit in both the local and the central header
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.index(sig)
        data[pos + off] |= 0x01
    z.write_bytes(bytes(data))
    _raises(z, "encrypted")


def test_bad_member_inside_zip_names_member(tmp_path: Path) -> None:
    z = _zip(tmp_path / "pk.zip", {"001.png": png_bytes(scan_image((40, 50))), "002.pdf": b""})
    packet = ingest(z)  # an empty member is skipped with a warning, the rest is read
    assert len(packet.pages) == 1 and any("002.pdf" in w for w in packet.warnings)
    truncated = write_scan_pdf(tmp_path / "t.pdf").read_bytes()
    z2 = _zip(tmp_path / "pk2.zip", {"001.pdf": truncated[: len(truncated) // 2]})
    err = _raises(z2, "truncated")
    assert "001.pdf" in err.detail


def test_truncated_zip(tmp_path: Path) -> None:
    z = _zip(tmp_path / "full.zip", {f"{i}.png": png_bytes(scan_image((40, 50), seed=i)) for i in range(3)})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(z.read_bytes()[:-40])
    _raises(cut, "corrupt")


def test_gbk_member_names_are_recovered() -> None:
    info = zipfile.ZipInfo("申报表.pdf".encode("gbk").decode("cp437"))
    info.flag_bits = 0
    assert decoded_name(info) == "申报表.pdf"
    utf8 = zipfile.ZipInfo("申报表.pdf")
    utf8.flag_bits = 0x800
    assert decoded_name(utf8) == "申报表.pdf"


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        ingest(tmp_path / "nope.pdf")
    assert info.value.reason == "not_found"


# --- corpus ---------------------------------------------------------------------------------

_BAD = {
    "lvl-2025-0038.pdf": "empty",
    "ccc-2025-0040.pdf": "not_a_document",
    "whu-2024-0037.pdf": "truncated",
    "whu-2024-0039.pdf": "encrypted",
}


@pytest.mark.corpus
def test_corpus_packets_ingest_or_refuse(corpus_dir: Path) -> None:
    packets = corpus_dir / "packets"
    for name, reason in _BAD.items():
        with pytest.raises(IngestError) as info:
            ingest(packets / name)
        assert info.value.reason == reason
    seen: set[PacketFormat] = set()
    for path in sorted(packets.iterdir()):
        if path.name in _BAD:
            continue
        fmt = sniff_format(path)
        assert fmt is not None, path.name
        if fmt in seen:
            continue  # one full ingest per format keeps this quick
        seen.add(fmt)
        packet = ingest(path)
        assert packet.format is fmt and packet.pages
        page = packet.pages[0]
        if page.kind is PageKind.TEXT:
            assert page.lines and page.rulings is not None
        else:
            assert page.load_image().shape == (page.height, page.width, 3)
    assert {PacketFormat.TEXT_PDF, PacketFormat.SCAN_PDF, PacketFormat.ZIP, PacketFormat.IMAGE_FOLDER} <= seen
