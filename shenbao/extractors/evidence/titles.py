"""Professional titles (职称 / 专业技术职务任职资格) and their grade: 正高级, 副高级, 中级, 初级.

The table is data: one row per title as certificates print it, in the national series
(工程, 教育, 卫生, 经济, 会计, 农业, 工艺美术, 实验, 政工, 统计, 审计, 出版, 图书资料). A
title is found in a text by its longest listed name contained in it, so 正高级工程师 is not
read as 高级工程师 and 副教授 not as 教授. A grade written on the certificate (资格级别：副高级)
beats the table.
"""

from __future__ import annotations

import re

GRADES = ("正高级", "副高级", "中级", "初级")

TITLE_GRADES: dict[str, str] = {
    # 正高级
    "正高级工程师": "正高级", "教授级高级工程师": "正高级", "教授": "正高级", "研究员": "正高级",
    "正高级讲师": "正高级", "正高级教师": "正高级", "正高级实习指导教师": "正高级",
    "主任医师": "正高级", "主任药师": "正高级", "主任护师": "正高级", "主任技师": "正高级",
    "正高级经济师": "正高级", "正高级会计师": "正高级", "正高级农艺师": "正高级", "农业技术推广研究员": "正高级",
    "正高级工艺美术师": "正高级", "正高级实验师": "正高级", "正高级政工师": "正高级", "正高级统计师": "正高级",
    "正高级审计师": "正高级", "编审": "正高级", "研究馆员": "正高级",
    # 副高级
    "高级工程师": "副高级", "副教授": "副高级", "副研究员": "副高级", "高级讲师": "副高级",
    "高级教师": "副高级", "高级实习指导教师": "副高级", "副主任医师": "副高级", "副主任药师": "副高级",
    "副主任护师": "副高级", "副主任技师": "副高级", "高级经济师": "副高级", "高级会计师": "副高级",
    "高级农艺师": "副高级", "高级畜牧师": "副高级", "高级兽医师": "副高级", "高级工艺美术师": "副高级",
    "高级实验师": "副高级", "高级政工师": "副高级", "高级统计师": "副高级", "高级审计师": "副高级",
    "副编审": "副高级", "副研究馆员": "副高级",
    # 中级
    "工程师": "中级", "讲师": "中级", "一级教师": "中级", "一级实习指导教师": "中级", "助理研究员": "中级",
    "主治医师": "中级", "主管药师": "中级", "主管护师": "中级", "主管技师": "中级", "经济师": "中级",
    "会计师": "中级", "农艺师": "中级", "畜牧师": "中级", "兽医师": "中级", "工艺美术师": "中级",
    "实验师": "中级", "政工师": "中级", "统计师": "中级", "审计师": "中级", "编辑": "中级", "馆员": "中级",
    # 初级
    "助理工程师": "初级", "技术员": "初级", "助教": "初级", "助理讲师": "初级", "二级教师": "初级",
    "三级教师": "初级", "二级实习指导教师": "初级", "三级实习指导教师": "初级", "研究实习员": "初级",
    "医师": "初级", "药师": "初级", "护师": "初级", "技师（卫生）": "初级", "医士": "初级", "护士": "初级",
    "助理经济师": "初级", "经济员": "初级", "助理会计师": "初级", "会计员": "初级", "助理农艺师": "初级",
    "农业技术员": "初级", "助理工艺美术师": "初级", "助理实验师": "初级", "实验员": "初级",
    "助理政工师": "初级", "政工员": "初级", "助理统计师": "初级", "统计员": "初级", "助理审计师": "初级",
    "审计员": "初级", "助理编辑": "初级", "助理馆员": "初级", "管理员": "初级",
}

_BY_LENGTH = sorted(TITLE_GRADES, key=len, reverse=True)

# Written grades and what they mean.
_GRADE_WORDS = (
    ("正高级", "正高级"), ("正高", "正高级"), ("副高级", "副高级"), ("副高", "副高级"),
    ("中级", "中级"), ("初级", "初级"), ("助理级", "初级"), ("员级", "初级"),
)


def find_title(text: str) -> str | None:
    """The professional title named in `text` (longest listed name it contains), or None."""
    compact = re.sub(r"\s+", "", text or "")
    for name in _BY_LENGTH:
        if name in compact:
            return name
    return None


def title_grade(title: str | None) -> str | None:
    return TITLE_GRADES.get(title) if title else None


def normalize_grade(text: str | None) -> str | None:
    """正高级 / 副高级 / 中级 / 初级 from a written grade (副高, 中级职称 …), or None."""
    compact = re.sub(r"\s+", "", text or "")
    for word, grade in _GRADE_WORDS:
        if word in compact:
            return grade
    return None
