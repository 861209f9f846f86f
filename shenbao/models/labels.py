"""Chinese names of the result's field keys and document types, for messages and reports.

One table for every place that shows them to a person (rule messages, the reviewer's report), so a
field is called the same everywhere. Document names follow the notices' own wording.
"""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "unit_name": "申报单位名称",
    "unit_type": "单位性质",
    "unit_credit_code": "统一社会信用代码",
    "unit_is_central_soe": "是否央企",
    "unit_head": "单位负责人",
    "unit_head_phone": "负责人办公电话",
    "contact_name": "联系人",
    "contact_phone": "联系人办公电话",
    "contact_mobile": "联系人手机",
    "email": "电子邮箱",
    "fax": "传真",
    "address": "通讯地址",
    "postcode": "邮政编码",
    "bank_account": "开户银行及账号",
    "is_plaqued": "是否已经授牌",
    "studio_name": "工作室名称",
    "studio_occupation": "工作室职业（工种）",
    "master_name": "技能大师姓名",
    "master_gender": "性别",
    "master_ethnicity": "民族",
    "master_birth": "出生年月",
    "master_work_start": "参加工作时间",
    "master_political": "政治面貌",
    "master_id_number": "身份证号",
    "master_employer_title": "工作单位及职务",
    "master_industry": "所属行业",
    "master_occupation": "从事职业（工种）",
    "master_skill_level": "职业技能等级",
    "master_phone": "大师联系电话",
    "studio_location": "工作室地点",
    "studio_area_m2": "工作室面积（㎡）",
    "studio_team_size": "工作室人数",
    "studio_facilities": "工作室基本设施",
    "achievements": "技能大师工作业绩",
    "fund_use": "资金用途及预期效果",
    "fill_date": "填报时间",
    "submission_date": "收件日期",
    "training_fund_total": "职工教育经费总额（元）",
    "training_fund_high_skill": "高技能人才培养经费（元）",
}

DOCUMENT_LABELS: dict[str, str] = {
    "cover": "封面",
    "application_form": "申报表",
    "award_table": "获奖情况表",
    "summary_table": "汇总表/一览表",
    "application_report": "申报报告/申报书",
    "commitment_letter": "申报材料真实性承诺书",
    "id_card": "身份证复印件",
    "qualification_certificate": "职业资格（技能等级）证书",
    "title_certificate": "专业技术职务（职称）证书",
    "honour_certificate": "荣誉证书",
    "business_license": "营业执照",
    "training_fund_proof": "职工教育经费用于高技能人才培养不低于50%的证明材料",
    "police_opinion": "公安部门意见",
    "integrity_statement": "党风廉政建设“一票否决”情况说明",
    "site_photos": "三室一场现场照片",
    "deeds_material": "事迹材料",
    "education_certificate": "学历证书",
    "work_photo": "工作照片",
    "recommendation_report": "推荐报告",
    "other": "其他材料",
}

# What a reviewer calls each evidence field (RESULT.md "Evidence fields").
EVIDENCE_LABELS: dict[str, str] = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "birth": "出生", "address": "住址/住所",
    "id_number": "公民身份号码", "issuer": "签发/发证机关", "valid_until": "有效期至", "holder": "持证人",
    "occupation": "职业（工种）", "level": "等级", "certificate_no": "证书编号", "issue_date": "发证日期",
    "title": "职称/荣誉称号", "rank": "职称级别", "title_text": "荣誉名称", "year": "年份",
    "unit_name": "名称", "credit_code": "统一社会信用代码", "unit_type": "类型", "legal_rep": "法定代表人",
    "founded": "成立日期", "registered_capital": "注册资本", "training_fund_total": "职工教育经费总额",
    "training_fund_high_skill": "高技能人才培养经费",
}
