"""Reports: report.html (self-contained, escaped, crops where the values were read), audit.jsonl
(enough to re-derive a finding), and the batch summary (xlsx sheets in the notices' columns,
findings csv, index.html)."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import zipfile
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape
from openpyxl import load_workbook
from PIL import Image

from shenbao.fixtures import build_unreadable
from shenbao.models import Finding, Jurisdiction, Result
from shenbao.pipeline.batch import outcome_of
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.manifest import Manifest, ManifestEntry
from shenbao.pipeline.review import review_packet
from shenbao.pipeline.types import Packet, PacketFormat, Page, PageKind
from shenbao.reports import audit_records, packet_report_files, render_packet_report, write_batch_summary
from shenbao.reports.crops import BOX_COLOUR, ImageRequest, make_images, result_box_to_page
from shenbao.reports.privacy import mask_id_numbers
from shenbao.reports.summary import load_summary_config
from tests._report_packets import ACTIVE, SCRIPT, reviewed_packet


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    return reviewed_packet(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report_html(reviewed) -> str:
    ctx, _ = reviewed
    return render_packet_report(ctx)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def _decode(uri: str) -> Image.Image:
    header, data = uri.split(",", 1)
    assert header in ("data:image/png;base64", "data:image/jpeg;base64")
    return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")


def _red_box_mask(img: Image.Image) -> np.ndarray:
    a = np.asarray(img).astype(int)
    r, g, b = BOX_COLOUR
    return (abs(a[..., 0] - r) < 60) & (abs(a[..., 1] - g) < 60) & (abs(a[..., 2] - b) < 60)


# --- report.html ------------------------------------------------------------------------------


def test_report_is_self_contained_and_document_text_stays_text(report_html) -> None:
    parsed = _parse(report_html)
    tags = [t for t, _ in parsed.tags]
    # No script element at all, no external resource: opens offline, runs nothing.
    assert "script" not in tags
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value and tag in ("img", "link", "script", "iframe"):
                assert value.startswith("data:"), (tag, value[:60])
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    text = "".join(parsed.text)
    assert SCRIPT in text and ACTIVE in text  # shown as characters…
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report_html  # …because they were escaped
    assert "<img src=x onerror" not in report_html
    assert len(report_html.encode("utf-8")) < 2_000_000


def test_header_and_verdict(reviewed, report_html) -> None:
    ctx, built = reviewed
    text = "".join(_parse(report_html).text)
    for key in ("unit_name", "master_name"):
        assert str(ctx.result.fields[key].value) in text
    assert "武汉市" in text
    errors = sum(1 for f in ctx.result.findings if str(f.severity) == "error")
    warnings = sum(1 for f in ctx.result.findings if str(f.severity) == "warning")
    assert f"{errors} 项错误" in text and f"{warnings} 项警告" in text


def test_findings_sorted_by_severity_with_values_and_boxed_crops(reviewed, report_html) -> None:
    ctx, _ = reviewed
    articles = re.findall(
        r'<article class="finding (\w+)" data-code="(\w+)">(.*?)</article>', report_html, re.S
    )
    assert len(articles) == len(ctx.result.findings)
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order[sev] for sev, _, _ in articles]
    assert ranks == sorted(ranks)
    birth = next(body for _, code, body in articles if code == "ID_BIRTH_MISMATCH")
    # both values side by side, each with a crop of where it was read, box drawn
    assert str(ctx.result.fields["master_birth"].value) in birth
    id_number = str(ctx.result.fields["master_id_number"].value)
    # the ID number as a reviewer reads it: region and last four (full in result.json only)
    assert mask_id_numbers(id_number) in birth and id_number not in birth
    assert id_number not in report_html
    crops = re.findall(r'<figure class="crop">\s*<img src="(data:image/[^"]+)"', birth)
    assert len(crops) == 2
    for uri in crops:
        img = _decode(uri)
        assert _red_box_mask(img).sum() > 50, "the read box is drawn"
        assert np.asarray(img).std() > 20, "the crop shows the page, not a blank"
    # the rule and the notice passage it cites, as the finding gives them
    extra = next(f for f in ctx.result.findings if str(f.code) == "ID_BIRTH_MISMATCH").model_extra
    assert f"依据：{escape(extra['citation'])}" in birth and escape(extra["rule"]) in birth
    # the other side of a disagreement: the ID card's name, read and boxed on its page
    name = next(body for _, code, body in articles if code == "NAME_MISMATCH")
    id_name = next(c.name for c in ctx.evidence.id_cards if c.name)
    assert f'<th>身份证 · 姓名</th><td class="v">{escape(id_name.value)}</td>' in name
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", name)
    assert captions == [
        f"技能大师姓名 · 第 {ctx.result.fields['master_name'].page} 页",
        f"身份证 · 姓名 · 第 {id_name.page} 页",
    ]
    # a page a finding names without a located value is shown whole
    contact = next(body for _, code, body in articles if code == "CONTACT_INVALID" and "PWNED" in body)
    assert re.search(r'<figure class="page">\s*<img src="data:image/[^"]+" alt="第 1 页"', contact)


def test_fields_awards_documents_sections(reviewed, report_html) -> None:
    ctx, built = reviewed
    rows = re.findall(r'<tr class="([^"]*)" data-key="(\w+)">', report_html)
    keys = {k for _, k in rows}
    assert set(ctx.result.fields) <= keys
    # the email CONTACT_INVALID is tagged on its row
    email_row = re.search(r'data-key="email">(.*?)</tr>', report_html, re.S).group(1)
    assert "CONTACT_INVALID" in email_row
    awards = re.search(r'<section id="awards">(.*?)</section>', report_html, re.S).group(1)
    for award in ctx.result.awards:
        assert award.claimed_text in awards
    docs = re.search(r'<section id="documents">(.*?)</section>', report_html, re.S).group(1)
    assert re.search(r'class="doc missing" data-type="police_opinion"', docs)
    thumbs = re.findall(r'<img src="(data:image/[^"]+)"', docs)
    assert len(thumbs) == len(ctx.packet.pages)
    assert max(_decode(thumbs[0]).size) <= 200


def test_low_confidence_field_is_marked(reviewed) -> None:
    ctx, _ = reviewed
    key = "contact_name"
    original = ctx.result.fields[key]
    findings = list(ctx.result.findings)
    try:
        ctx.result.fields[key] = original.model_copy(update={"confidence": 0.41})
        ctx.result.findings.append(
            Finding.make("LOW_CONFIDENCE", "联系人 识别置信度 0.41", fields=[key], pages=[3])
        )
        html = render_packet_report(ctx)
    finally:
        ctx.result.fields[key] = original
        ctx.result.findings[:] = findings
    row = re.search(r'<tr class="flagged\s*" data-key="contact_name">(.*?)</tr>', html, re.S).group(1)
    assert "LOW_CONFIDENCE" in row and 'class="conf low"' in row and "0.41" in row


def test_unreadable_packet_report(tmp_path) -> None:
    path = build_unreadable("t-cut", "hohhot", tmp_path, "truncated").path
    ctx = review_packet(path)
    files = packet_report_files(ctx)
    assert set(files) == {"report.html", "audit.jsonl"}
    assert "材料无法读取" in files["report.html"]
    (packet,) = [json.loads(line) for line in files["audit.jsonl"].splitlines() if '"packet"' in line]
    assert packet["unreadable"] is True and len(packet["sha256"]) == 64


# --- crops ------------------------------------------------------------------------------------


def test_crop_lands_on_the_box_in_result_units() -> None:
    """A scan page among text pages reports in px@200dpi; a box in those units must land on the
    same pixels of the page image."""
    image = np.full((1000, 700, 3), 255, np.uint8)
    image[400:440, 300:420] = 0  # the "value"
    page = Page(1, PageKind.SCAN, "x.jpg", 700, 1000, unit_scale=2.0, load_image=lambda: image)
    packet = Packet("p", Path("x"), PacketFormat.IMAGE, "0" * 64, [page])
    result_box = [600, 800, 840, 880]  # result units = page units x 2
    box = result_box_to_page(result_box, page)
    assert box == (300, 400, 420, 440)
    req = ImageRequest(1, box, 460)
    crop = _decode(make_images(packet, [req])[req])
    a = np.asarray(crop)
    red = _red_box_mask(crop)
    ys, xs = np.nonzero(red)
    dark = (a.sum(axis=2) < 100) & ~red
    dys, dxs = np.nonzero(dark)
    # the black value sits inside the drawn box
    assert xs.min() <= dxs.min() and dxs.max() <= xs.max()
    assert ys.min() <= dys.min() and dys.max() <= ys.max()


def test_unrenderable_page_gives_none_not_a_crash() -> None:
    def broken():
        raise OSError("gone")

    page = Page(1, PageKind.SCAN, "x.jpg", 700, 1000, load_image=broken)
    packet = Packet("p", Path("x"), PacketFormat.IMAGE, "0" * 64, [page])
    req = ImageRequest(1, None)
    assert make_images(packet, [req, ImageRequest(5, None)]) == {req: None, ImageRequest(5, None): None}


def test_text_pages_render_from_pdf_zip_and_folder(reviewed, tmp_path) -> None:
    _, built = reviewed
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(built.path, folder / "申报材料.pdf")
    archive = tmp_path / "packet.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(built.path, "材料/申报材料.pdf")
    pictures = []
    for source in (built.path, folder, archive):
        packet = ingest(source)
        assert packet.pages[1].kind is PageKind.TEXT
        req = ImageRequest(2, None, 200)
        uri = make_images(packet, [req])[req]
        assert uri is not None, source
        pictures.append(np.asarray(_decode(uri)).astype(int))
    assert all(p.shape == pictures[0].shape for p in pictures)
    assert all(np.abs(p - pictures[0]).mean() < 2 for p in pictures)


# --- audit.jsonl ------------------------------------------------------------------------------


def test_audit_trail_lets_a_finding_be_rederived(reviewed) -> None:
    ctx, _ = reviewed
    records = audit_records(ctx, datetime(2024, 7, 1, 9, 0))
    json.dumps(records, ensure_ascii=False, default=str)  # serialisable
    kinds = [r["record"] for r in records]
    assert kinds[0] == "packet" and kinds.count("packet") == 1
    packet = records[0]
    assert packet["sha256"] == ctx.packet.sha256
    assert packet["versions"]["shenbao"] and len(packet["versions"]["rule_pack"]["digest"]) == 64
    assert packet["versions"]["ocr_engine"] is None  # a text-layer packet ran no OCR
    pack = packet["versions"]["rule_pack"]["pack"]
    assert pack["jurisdiction"] == "wuhan-2024" and len(pack["sha256"]) == 64
    (evidence,) = [r["evidence"] for r in records if r["record"] == "evidence"]
    card = next(c for c in ctx.evidence.id_cards if c.name)
    assert {"value": card.name.value, "page": card.name.page, "raw": card.name.raw}.items() <= next(
        c["name"] for c in evidence["id_cards"] if c["name"]
    ).items()
    assert kinds.count("page") == len(ctx.packet.pages)
    fields = {r["key"]: r for r in records if r["record"] == "field"}
    assert set(fields) == set(ctx.result.fields)
    # The value's source text is in the trail: the birth finding can be checked from it alone.
    birth, id_number = fields["master_birth"], fields["master_id_number"]
    assert id_number["value"] in "".join(line["text"] for line in id_number["lines"])
    assert birth["lines"] and birth["page"] == ctx.result.fields["master_birth"].page
    page_lines = {r["page"]: r["lines"] for r in records if r["record"] == "page"}
    assert any(line["text"] == id_number["lines"][0]["text"] for line in page_lines[id_number["page"]])
    findings = [r for r in records if r["record"] == "finding"]
    assert len(findings) == len(ctx.result.findings)
    birth_finding = next(r for r in findings if r["code"] == "ID_BIRTH_MISMATCH")
    assert birth_finding["rule"] == "wuhan-2024/identity" and "RESULT.md" in birth_finding["citation"]
    assert birth_finding["values"] == {"master_birth": birth["value"], "master_id_number": id_number["value"]}
    awards = [r for r in records if r["record"] == "award"]
    assert len(awards) == len(ctx.result.awards)
    for award in awards:
        assert award["claim"]["text"] == award["result"]["claimed_text"]
        assert award["match"]["alternatives"] and {"title", "score"} <= set(award["match"]["alternatives"][0])


# --- batch summary ----------------------------------------------------------------------------


def _summary_batch(reviewed, tmp_path):
    ctx, built = reviewed
    out = tmp_path / "out"
    wuhan = ctx.result
    # Three 长春 packets from one recommender (limit 2), one from another; fields from the form.
    cc_fields = {k: v.model_copy() for k, v in wuhan.fields.items()}
    changchun = [
        Result(packet_id=f"cc-{i}", jurisdiction="changchun-2025", fields=cc_fields, awards=wuhan.awards)
        for i in range(4)
    ]
    unreadable = review_packet(build_unreadable("bad-1", "hohhot", tmp_path, "truncated").path)
    results = [wuhan, *changchun, unreadable.result]
    rows = {
        wuhan.packet_id: ManifestEntry(wuhan.packet_id, None, datetime(2024, 6, 1, 10, 0), "武汉市国资委"),
        **{
            r.packet_id: ManifestEntry(
                r.packet_id, None, datetime(2025, 10, 10, 9, 0), "长春市教育局" if i < 3 else "长春市国资委"
            )
            for i, r in enumerate(changchun)
        },
        "bad-1": ManifestEntry("bad-1", Jurisdiction.HOHHOT, None, "—"),
    }
    manifest = Manifest(rows, [])
    outcomes = [outcome_of(ctx, 2.0), outcome_of(unreadable, 0.1)]
    (out / wuhan.packet_id).mkdir(parents=True)
    (out / wuhan.packet_id / "report.html").write_text("x", "utf-8")
    paths = write_batch_summary(out, results, manifest, outcomes)
    return out, paths, results


def test_batch_summary_workbook(reviewed, tmp_path) -> None:
    out, paths, results = _summary_batch(reviewed, tmp_path)
    assert [p.name for p in paths] == ["summary.xlsx", "summary.csv", "index.html"]
    wb = load_workbook(out / "summary.xlsx")
    config = load_summary_config()
    cc, wh = config.sheets["changchun-2025"], config.sheets["wuhan-2024"]
    assert wb.sheetnames[:3] == [cc.sheet, wh.sheet, config.sheets["hohhot"].sheet]
    # the notice's own columns, in its order, then the review columns
    header = [c.value for c in wb[cc.sheet][3]]
    assert header[: len(cc.columns)] == [h for h, _ in cc.columns]
    assert header[:8] == [
        "序号",
        "领办人姓名",
        "地址",
        "规模(人数)",
        "面积",
        "联系电话",
        "证件号码",
        "出生日期",
    ]
    first = {h: c.value for h, c in zip(header, wb[cc.sheet][4], strict=True)}
    fields = results[0].fields
    assert first["领办人姓名"] == fields["master_name"].value
    assert first["证件号码"] == mask_id_numbers(fields["master_id_number"].value)
    assert first["规模(人数)"] == f"{fields['studio_team_size'].value}人"
    assert first["序号"] == 1 and first["材料编号"] == "cc-0" and first["推荐单位（清单）"] == "长春市教育局"
    wh_header = [c.value for c in wb[wh.sheet][3]]
    assert wh_header[:8] == ["序号", "单位", "领办人", "工种", "技能等级", "岗位", "主要成绩", "主要荣誉"]
    wh_row = {h: c.value for h, c in zip(wh_header, wb[wh.sheet][4], strict=True)}
    assert results[0].awards[0].claimed_text in wh_row["主要荣誉"]
    # findings: one row per finding, autofilter on
    ws = wb["审核发现"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1")
    assert ws.max_row - 1 == sum(len(r.findings) for r in results)
    codes = [ws.cell(row=i, column=6).value for i in range(2, ws.max_row + 1)]
    assert "ID_BIRTH_MISMATCH" in codes and "UNREADABLE_INPUT" in codes
    # quotas: 3 from 长春市教育局 against a limit of 2
    q = wb["推荐名额"]
    qh = [c.value for c in q[1]]
    quota = {r[qh.index("推荐单位 / 申报单位")]: r for r in q.iter_rows(min_row=2, values_only=True) if r[0]}
    edu = quota["长春市教育局"]
    assert edu[qh.index("申报数")] == 3 and edu[qh.index("限额")] == 2 and edu[qh.index("是否超额")] == "超额"
    assert quota["长春市国资委"][qh.index("是否超额")] in (None, "")


def test_batch_summary_csv_and_index(reviewed, tmp_path) -> None:
    out, _, results = _summary_batch(reviewed, tmp_path)
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("材料编号,辖区,申报单位,技能大师,严重程度,代码")
    assert len(lines) - 1 == sum(len(r.findings) for r in results)
    assert any(SCRIPT in line for line in lines)
    index = (out / "index.html").read_text("utf-8")
    parsed = _parse(index)
    assert "script" not in [t for t, _ in parsed.tags]
    hrefs = [a.get("href") for t, a in parsed.tags if t == "a"]
    wuhan = results[0].packet_id
    assert f"{wuhan}/report.html" in hrefs and "summary.xlsx" in hrefs
    assert "cc-0/report.html" not in hrefs  # only reports that exist are linked
    assert all(r.packet_id in index for r in results)
