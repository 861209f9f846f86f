"""Small ruled forms for the form-reader tests, drawn with reportlab (CJK font from the pinned
paperang_p2_fonts_cjk wheel), and the same pages as images with synthetic OCR lines.

A form is a list of cells on a lattice (row/column edges in points, top-left origin), so a
test knows exactly which cells, spans and texts the grid builders should find.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from shenbao.pipeline.types import Page, PageKind, TextLine

A4 = (595.0, 842.0)
FONT = "WQYF"
SIZE = 10.5
LEADING = 13.0


@cache
def cjk_font() -> str:
    import paperang_p2_fonts_cjk

    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


@dataclass
class FormCell:
    r0: int
    c0: int
    r1: int  # exclusive
    c1: int
    text: str = ""  # "\n" separates written lines
    centred: bool = False


@dataclass
class Table:
    xs: list[float]  # column edges, left to right
    ys: list[float]  # row edges, top to bottom
    cells: list[FormCell]

    def box(self, c: FormCell) -> tuple[float, float, float, float]:
        return (self.xs[c.c0], self.ys[c.r0], self.xs[c.c1], self.ys[c.r1])


@dataclass
class FormPage:
    tables: list[Table] = field(default_factory=list)
    # Free text outside tables: (x, top, text); several pieces on one top form one row.
    texts: list[tuple[float, float, str]] = field(default_factory=list)
    underlines: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y


def edges(start: float, sizes: Sequence[float]) -> list[float]:
    out = [start]
    for s in sizes:
        out.append(out[-1] + s)
    return out


def draw_pdf(path: Path, pages: list[FormPage], as_rects: bool = True) -> Path:
    """Write the pages; table rules as one rectangle per cell (Word's way) or as separate
    line segments (WPS's way)."""
    font = cjk_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    H = A4[1]
    for page in pages:
        c.setLineWidth(0.75)
        for table in page.tables:
            for cell in table.cells:
                x0, y0, x1, y1 = table.box(cell)
                if as_rects:
                    c.rect(x0, H - y1, x1 - x0, y1 - y0, stroke=1, fill=0)
                else:
                    c.line(x0, H - y0, x1, H - y0)
                    c.line(x0, H - y1, x1, H - y1)
                    c.line(x0, H - y0, x0, H - y1)
                    c.line(x1, H - y0, x1, H - y1)
                lines = cell.text.split("\n") if cell.text else []
                c.setFont(font, SIZE)
                top = (y0 + y1) / 2 - len(lines) * LEADING / 2
                for i, line in enumerate(lines):
                    baseline = top + i * LEADING + SIZE * 0.85
                    if cell.centred:
                        w = pdfmetrics.stringWidth(line, font, SIZE)
                        c.drawString((x0 + x1 - w) / 2, H - baseline, line)
                    else:
                        c.drawString(x0 + 4, H - baseline, line)
        c.setFont(font, 14)
        for x, top, text in page.texts:
            c.drawString(x, H - top - 12, text)
        for x0, x1, y in page.underlines:
            c.line(x0, H - y, x1, H - y)
        c.showPage()
    c.save()
    return path


def render(path: Path, index: int, dpi: int = 200) -> np.ndarray:
    pdf = pdfium.PdfDocument(str(path))
    try:
        bitmap = pdf[index].render(scale=dpi / 72)
        img = np.array(bitmap.to_pil().convert("RGB"))
    finally:
        pdf.close()
    return img


def scan_page(text_page: Page, image: np.ndarray, dpi: int = 200, angle: float = 0.0,
              confidence: float = 0.97, seal: tuple[float, float] | None = None,
              merge: Sequence[tuple[str, str]] = ()) -> Page:
    """The text-layer page as a scan: its image at `dpi`, turned by `angle` degrees (cv2's sense)
    and with an optional red seal ring centred at `seal` (pt), plus OCR lines made from its
    words (scaled and turned the same way, with polygons). `merge` names pairs of neighbouring
    words that OCR reads as one line ("性别", "男")."""
    scale = dpi / 72.0
    h, w = image.shape[:2]
    img = image.copy()
    if seal is not None:
        cx, cy = int(seal[0] * scale), int(seal[1] * scale)
        cv2.circle(img, (cx, cy), int(0.07 * w), (220, 40, 40), 9)
        cv2.putText(img, "*", (cx - 20, cy + 20), cv2.FONT_HERSHEY_SIMPLEX, 3, (220, 40, 40), 8)
    words = [TextLine(ln.text, tuple(v * scale for v in ln.bbox), 1.0) for ln in text_page.lines]
    for a, b in merge:
        wa = next(x for x in words if x.text == a)
        wb = next(x for x in words if x.text == b and abs(x.cy - wa.cy) < 5)
        words.remove(wa)
        words.remove(wb)
        box = (min(wa.bbox[0], wb.bbox[0]), min(wa.bbox[1], wb.bbox[1]),
               max(wa.bbox[2], wb.bbox[2]), max(wa.bbox[3], wb.bbox[3]))
        words.append(TextLine(f"{a} {b}", box, 1.0))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    if angle:
        img = cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))
    lines = []
    for i, wd in enumerate(words):
        x0, y0, x1, y1 = wd.bbox
        quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64) @ m[:, :2].T + m[:, 2]
        box = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))
        conf = confidence - 0.01 * (i % 3)
        lines.append(TextLine(wd.text, box, conf, polygon=[(float(x), float(y)) for x, y in quad]))
    final = img
    return Page(number=text_page.number, kind=PageKind.SCAN, source="test", width=float(w), height=float(h),
                lines=lines, load_image=lambda: final)


def turn_point(x: float, y: float, w: float, h: float, angle: float) -> tuple[float, float]:
    """Where cv2.getRotationMatrix2D((w/2, h/2), angle) takes (x, y)."""
    a = math.radians(angle)
    cx, cy = w / 2, h / 2
    dx, dy = x - cx, y - cy
    return (cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a))


# --- the forms used by the tests ------------------------------------------------------------------

ACHIEVEMENTS_1 = "主持完成技术攻关项目7项，累计为企业\n创造经济效益96万元。获国家实用新型\n专利8项、发明专利3项。"
ACHIEVEMENTS_2 = "总结提炼“戴氏操作法”，在本单位推广\n应用。"


def main_form() -> FormPage:
    """A 吕梁-style 申报表 page: merged value cells, a row with another column structure, a
    label written over three lines, a multi-line value, a row-spanning group label beside a
    member list, and a long achievements cell that ends at the page bottom."""
    xs = [50, 140, 230, 300, 370, 440, 545]
    ys = edges(60, [30, 30, 30, 30, 30, 30, 60, 30, 30, 28, 28, 28, 28, 90])
    F = FormCell
    cells = [
        F(0, 0, 1, 1, "申报单位名称"), F(0, 1, 1, 4, "山西鑫海重工集团有限公司"), F(0, 4, 1, 5, "单位性质"), F(0, 5, 1, 6, "民营企业"),
        F(1, 0, 2, 1, "负责人"), F(1, 1, 2, 3, "白武林"), F(1, 3, 2, 4, "办公电话"), F(1, 4, 2, 6, "0358-8035066"),
        F(2, 0, 3, 1, "联系人"), F(2, 1, 3, 2, "邹俊峰"), F(2, 2, 3, 3, "办公电话"), F(2, 3, 3, 4, "0358-3761258"),
        F(2, 4, 3, 5, "手机"), F(2, 5, 3, 6, "13912345678"),
        F(3, 0, 4, 1, "E-mai"), F(3, 1, 4, 4, "rkfov25@126.com"), F(3, 4, 4, 5, "传真"), F(3, 5, 4, 6, ""),
        F(4, 0, 5, 1, "通讯地址"), F(4, 1, 5, 4, "吕梁市交城县龙凤北大街234号"), F(4, 4, 5, 5, "邮政编码"), F(4, 5, 5, 6, "030500"),
        F(5, 0, 6, 2, "开户银行及资金账户"), F(5, 2, 6, 6, "交通银行吕梁交城支行 3757175630174952819"),
        F(6, 0, 7, 1, "获得中华技能大奖、\n全国技术能手、三晋\n技术能手等人才", centred=True),
        F(6, 1, 7, 6, "2011年吕梁技术能手\n享受山西省政府特殊津贴（2013年）"),
        F(7, 0, 8, 1, "技能大师姓名"), F(7, 1, 8, 2, "戴勇辉"), F(7, 2, 8, 3, "性别"), F(7, 3, 8, 4, "男"),
        F(7, 4, 8, 5, "出生年月"), F(7, 5, 8, 6, "1984.04"),
        F(8, 0, 9, 1, "身份证号"), F(8, 1, 9, 4, "141124198404133956"), F(8, 4, 9, 5, "民族"), F(8, 5, 9, 6, "汉族"),
        F(9, 0, 13, 1, "团队成员"), F(9, 1, 10, 2, "姓名"), F(9, 2, 10, 3, "性别"), F(9, 3, 10, 4, "年龄"), F(9, 4, 10, 6, "职业（工种）"),
        F(10, 1, 11, 2, "任兵志"), F(10, 2, 11, 3, "男"), F(10, 3, 11, 4, "41"), F(10, 4, 11, 6, "焊工"),
        F(11, 1, 12, 2, "田涛鹏"), F(11, 2, 12, 3, "男"), F(11, 3, 12, 4, "35"), F(11, 4, 12, 6, "焊工"),
        F(12, 1, 13, 2, "薛武"), F(12, 2, 13, 3, "女"), F(12, 3, 13, 4, "29"), F(12, 4, 13, 6, "焊工"),
        F(13, 0, 14, 1, "技能大师工作业绩"), F(13, 1, 14, 6, ACHIEVEMENTS_1),
    ]
    return FormPage(tables=[Table(xs, ys, cells)])


def continuation_form() -> FormPage:
    """The next page: the achievements row runs on (empty label column), then opinions."""
    xs = [50, 140, 230, 300, 370, 440, 545]
    ys = edges(60, [50, 60])
    F = FormCell
    cells = [F(0, 0, 1, 1, ""), F(0, 1, 1, 6, ACHIEVEMENTS_2), F(1, 0, 2, 1, "申报单位意见"), F(1, 1, 2, 6, "同意申报。")]
    return FormPage(tables=[Table(xs, ys, cells)])


def cover_form() -> FormPage:
    """A cover: spaced-out labels, underlined values, a seal mark after the unit's name."""
    page = FormPage()
    rows = [
        (["申", "报", "单", "位"], "山西鑫海重工集团有限公司（公章）"),
        (["工作室职业（工种）"], "焊工"),
        (["领办人姓名"], "戴勇辉"),
        (["领办人职业技能等级"], "二级/技师"),
        (["填", "报", "时", "间"], "二〇二五年五月十一日"),
    ]
    top = 330.0
    for label_parts, value in rows:
        x = 110.0
        for part in label_parts:
            page.texts.append((x, top, part))
            x += 14 * len(part) + (22 if len(label_parts) > 1 else 0)
        page.texts.append((285.0, top, value))
        page.underlines.append((275.0, 495.0, top + 17))
        top += 48
    page.texts.append((150.0, 150.0, "市级技能大师工作室建设项目申报表"))
    return page


def award_table_form() -> FormPage:
    """武汉-style award tables under section captions."""
    xs = [50, 150, 260, 360, 410, 450, 490, 545]
    head = ["获奖项目名称", "奖励名称", "授予单位", "等级", "排名", "角色", "年度"]
    F = FormCell

    def table(top: float, rows: list[list[str]]) -> Table:
        ys = edges(top, [28] * (1 + len(rows)))
        cells = [F(0, i, 1, i + 1, t) for i, t in enumerate(head)]
        for r, row in enumerate(rows, 1):
            cells += [F(r, i, r + 1, i + 1, t) for i, t in enumerate(row)]
        return Table(xs, ys, cells)

    t1 = table(90, [["技能大赛", "湖北省技能大师", "湖北省人社厅", "省级", "1", "本人", "2016"],
                    ["", "", "", "", "", "", ""]])
    t2 = table(230, [["/", "“武汉工匠”", "武汉市人民政府", "市级", "1", "本人", "2019"],
                     ["个人荣誉", "武汉市首席技师", "武汉市人社局", "市级", "1", "本人", "2021"]])
    page = FormPage(tables=[t1, t2])
    page.texts += [(50.0, 68.0, "省部级获奖情况："), (50.0, 208.0, "其它获奖情况：")]
    return page


def header_row_form() -> FormPage:
    """Labels in a header row with their values in the row below; a two-level header: a
    row-spanning group label ("联系人") to the left of sub-labels; two labels side by side
    with their values below them."""
    xs = [50, 150, 260, 380, 545]
    ys = edges(60, [28, 28, 28, 28, 28, 44])
    F = FormCell
    cells = [
        F(0, 0, 1, 1, "技能大师姓名"), F(0, 1, 1, 2, "性别"), F(0, 2, 1, 3, "出生日期"), F(0, 3, 1, 4, "政治面貌"),
        F(1, 0, 2, 1, "王建国"), F(1, 1, 2, 2, "男"), F(1, 2, 2, 3, "1979-03-01"), F(1, 3, 2, 4, "群众"),
        F(2, 0, 4, 1, "联系人"), F(2, 1, 3, 2, "姓名"), F(2, 2, 3, 4, "刘利林"),
        F(3, 1, 4, 2, "办公电话"), F(3, 2, 4, 4, "023-37651781"),
        # two labels side by side, each with its value below
        F(4, 0, 5, 2, "工作室基本设施"), F(4, 2, 5, 4, "工作室人员"),
        F(5, 0, 6, 2, "实训车间一间，\n设备20台套。"), F(5, 2, 6, 4, "共3人：甲乙、丙丁、戊己"),
    ]
    return FormPage(tables=[Table(xs, ys, cells)])
