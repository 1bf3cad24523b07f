"""Government service matters (政务服务事项): the legal basis a consumer names for each query.

Codes follow the layout of the national catalogue's 12-digit 基本编码 (6-digit 主项 + 3-digit
子项 + 3-digit 业务办理项); the numbers are the alliance's own. A brokered query's ``purpose``
is one of these codes, and GAO-MATTERS answers from this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Matter:
    code: str
    name: str
    department: str  # member code of the implementing department
    department_name: str
    legal_basis: str


MATTERS: tuple[Matter, ...] = (
    Matter(
        "000173001000", "不动产首次登记", "NRD", "省自然资源厅（不动产登记局）",
        "《不动产登记暂行条例》第三条、第十四条",
    ),
    Matter(
        "000173003000", "不动产转移登记", "NRD", "省自然资源厅（不动产登记局）",
        "《不动产登记暂行条例》第三条；《不动产登记暂行条例实施细则》第二十七条",
    ),
    Matter(
        "000173005000", "不动产抵押权登记", "NRD", "省自然资源厅（不动产登记局）",
        "《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》第五条",
    ),
    Matter(
        "000173008000", "不动产查封登记", "NRD", "省自然资源厅（不动产登记局）",
        "《不动产登记暂行条例实施细则》第九十条",
    ),
    Matter(
        "000173010000", "不动产登记资料查询", "NRD", "省自然资源厅（不动产登记局）",
        "《不动产登记资料查询暂行办法》第四条",
    ),
    Matter(
        "000163002000", "契税申报", "TAX", "国家税务总局××省税务局",
        "《中华人民共和国契税法》第一条、第九条",
    ),
    Matter(
        "000112001000", "婚姻登记", "CIV", "省民政厅",
        "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条",
    ),
    Matter(
        "000181004000", "商品房买卖合同网签备案", "HUD", "省住房和城乡建设厅",
        "《中华人民共和国城市房地产管理法》第四十五条；《商品房销售管理办法》",
    ),
    Matter(
        "000181009000", "购房资格审核", "HUD", "省住房和城乡建设厅",
        "《江苏省住房和城乡建设厅关于进一步促进房地产市场平稳健康发展的通知》",
    ),
    Matter(
        "000108002000", "居民身份证申领", "PSB", "省公安厅",
        "《中华人民共和国居民身份证法》第八条",
    ),
    Matter(
        "000154001000", "企业设立登记", "SAMR", "省市场监督管理局",
        "《中华人民共和国市场主体登记管理条例》第三条",
    ),
    Matter(
        "000199003000", "协助执行（不动产查封、解封）", "COURT", "省高级人民法院",
        "《中华人民共和国民事诉讼法》第二百五十五条",
    ),
    Matter(
        "000136011000", "住房公积金个人住房贷款", "HPF", "省住房公积金管理中心",
        "《住房公积金管理条例》第二十六条",
    ),
    Matter(
        "000136012000", "住房公积金提取", "HPF", "省住房公积金管理中心",
        "《住房公积金管理条例》第二十四条",
    ),
    Matter(
        "000145007000", "个人住房抵押贷款审批", "FIN", "国家金融监督管理总局××监管局",
        "《中华人民共和国商业银行法》第三十五条；《个人贷款管理暂行办法》",
    ),
    Matter(
        "000140003000", "社会保险参保缴费查询", "HRSS", "省人力资源和社会保障厅",
        "《中华人民共和国社会保险法》第四条",
    ),
    Matter(
        "000100001000", "电子证照核验", "ECERT", "省电子证照库（大数据局）",
        "《国务院关于在线政务服务的若干规定》第九条",
    ),
)  # fmt: skip

MATTERS_BY_CODE = {matter.code: matter for matter in MATTERS}
MATTERS_BY_NAME = {matter.name: matter for matter in MATTERS}


def matter_code(name: str) -> str:
    """The code of the matter named ``name`` (KeyError for an unknown one)."""
    return MATTERS_BY_NAME[name].code
