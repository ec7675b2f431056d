"""The form's fields: each named by its situation path, labelled in both languages."""

from __future__ import annotations

import re

import attrs

LANGS = ("zh", "en")


@attrs.frozen
class Field:
    name: str  # the situation path, relative to its row for list fields
    kind: str  # place | date | month | text | select | grade | money | count | bool | check
    zh: str
    en: str
    options: tuple[str, ...] = ()
    hint_zh: str = ""
    hint_en: str = ""

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_zh


OPTION_WORDS: dict[str, tuple[str, str]] = {
    "": ("不详", "unknown"),
    "male": ("男", "male"),
    "female": ("女", "female"),
    "employed": ("在职", "employed"),
    "flexible": ("灵活就业", "flexibly employed"),
    "retired": ("退休", "retired"),
    "unemployed": ("失业", "unemployed"),
    "employee_medical": ("职工医保", "employee medical"),
    "resident_medical": ("居民医保", "resident medical"),
    "pension": ("养老保险", "pension"),
    "unemployment": ("失业保险", "unemployment"),
    "work_injury": ("工伤保险", "work injury"),
    "fund": ("住房公积金", "provident fund"),
    "transit": ("交通卡", "transit card"),
    "social_security": ("社保卡", "social security card"),
    "culture_tourism": ("文旅卡", "culture-tourism card"),
    "library": ("借书证", "library card"),
    "true": ("是", "yes"),
    "false": ("否", "no"),
    "high_level": ("高层次人才", "high-level talent"),
    "shortage_technical": ("紧缺型技术人才", "shortage technical talent"),
    "none": ("不属于人才类别", "no talent category"),
    "labour_capacity_appraisal": ("劳动能力鉴定", "labour capacity appraisal"),
    "work_injury_determination": ("工伤认定", "work injury determination"),
    "elderly_care_assessment": ("老年人能力评估", "elderly care assessment"),
    "medical_test": ("医学检验检查结果", "medical test result"),
    "talent_recognition": ("人才认定", "talent recognition"),
    "trustworthy": ("守信名单", "listed as trustworthy"),
    "dishonest": ("失信名单", "listed as dishonest"),
    "1": ("一级", "grade I"),
    "2": ("二级", "grade II"),
    "3": ("三级", "grade III"),
}

_PLACE_HINT = (
    "输入城市或县区名称(中英文均可)或代码",
    "type a city or county name (Chinese or English) or its code",
)
_DATE_HINT = ("年-月-日,如 2025-06-01;空=今天", "YYYY-MM-DD, e.g. 2025-06-01; empty: today")


def _f(name: str, kind: str, zh: str, en: str, *options: str) -> Field:
    """A field; the first place and the first date carry a written hint (the others show
    their format as a placeholder)."""
    hints = {"target": _PLACE_HINT, "as_of": _DATE_HINT}
    return Field(name, kind, zh, en, options, *hints.get(name, ("", "")))


SECTIONS: tuple[tuple[str, str, str, tuple[Field, ...]], ...] = (
    (
        "where",
        "办理地与日期",
        "Where and when",
        (
            _f("target", "place", "办理地", "Where the person asks (target)"),
            _f("as_of", "date", "评估日期", "Evaluate as of"),
            _f("request.service", "text", "办理事项(可选)", "Service asked for (optional)"),
            _f("request.hospital_grade", "grade", "办理地医院等级(结果互认时)",
               "Grade of the hospital at the target (for test results)", "", "1", "2", "3"),
        ),
    ),
    (
        "person",
        "个人情况",
        "The person",
        (
            _f("person.birth_date", "date", "出生日期", "Date of birth"),
            _f("person.sex", "select", "性别", "Sex", "", "male", "female"),
            _f("person.hukou", "place", "户籍地", "Household registration (hukou)"),
            _f("person.lives_in", "place", "现居住地", "Lives in"),
            _f("person.employment", "select", "就业状态", "Employment",
               "", "employed", "flexible", "retired", "unemployed"),
            _f("person.work_place", "place", "工作地", "Works in"),
            _f("person.retired_on", "date", "退休日期", "Retired on"),
            _f("person.pension_place", "place", "养老金发放地", "Pension paid by"),
            _f("person.talent", "select", "人才类别", "Talent category",
               "", "high_level", "shortage_technical", "none"),
        ),
    ),
)

FUND_FIELDS: tuple[Field, ...] = (
    _f("provident_fund.balance", "money", "公积金账户余额(元)", "Fund balance (yuan)"),
    _f("provident_fund.outstanding_loans", "count", "未还清的公积金贷款笔数",
       "Fund loans not yet repaid"),
    _f("provident_fund.couple_application", "bool", "夫妻共同申请", "Couple application",
       "", "true", "false"),
    _f("provident_fund.spouse_balance", "money", "配偶公积金余额(元)",
       "Spouse's fund balance (yuan)"),
)


PROJECT_FIELDS: tuple[Field, ...] = (
    _f("project.name", "text", "项目名称", "Project name"),
    _f("project.jointly_introduced", "bool", "双方共同引进、共同建设",
       "Introduced and built jointly", "", "true", "false"),
    _f("project.flying_out", "place", "飞出地", "Flying out of"),
    _f("project.flying_in", "place", "飞入地", "Flying into"),
    _f("project.gdp", "money", "项目GDP(元)", "Project GDP (yuan)"),
    _f("project.tax", "money", "项目税收(元)", "Project tax (yuan)"),
    _f("project.major_industrial", "bool", "跨区域重大产业项目(政府引导或市外、省外转入)",
       "Major industrial project (government-guided, or moved in from elsewhere)",
       "", "true", "false"),
)


ENTERPRISE_FIELDS: tuple[Field, ...] = (
    _f("enterprise.name", "text", "企业名称", "Enterprise name"),
    _f("enterprise.registered_in", "place", "登记地", "Registered in"),
    _f("enterprise.travel_agency", "bool", "是旅行社", "A travel agency", "", "true", "false"),
    _f("enterprise.credit", "select", "信用名单", "Credit listing",
       "", "trustworthy", "dishonest", "none"),
)


@attrs.frozen
class ListSpec:
    path: str
    zh: str
    en: str
    none_zh: str
    none_en: str
    fields: tuple[Field, ...]

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def none_label(self, lang: str) -> str:
        return self.none_en if lang == "en" else self.none_zh

    @property
    def key(self) -> str:
        return self.path.replace(".", "-").replace("_", "-")


LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "insurance", "社会保险缴费记录", "Social insurance periods",
        "此人没有任何社会保险缴费记录", "The person has no insurance periods at all",
        (
            _f("scheme", "select", "险种", "Scheme",
               "employee_medical", "resident_medical", "pension", "unemployment", "work_injury"),
            _f("place", "place", "缴费地", "Paid in"),
            _f("from", "month", "起始月", "From"),
            _f("to", "month", "截止月(空=仍在缴)", "To (empty: still paying)"),
            _f("deemed", "check", "视同缴费", "Deemed (视同)"),
        ),
    ),
    ListSpec(
        "provident_fund.periods", "住房公积金缴存记录", "Provident fund deposit periods",
        "此人从未缴存公积金", "The person never deposited into a fund",
        (
            _f("place", "place", "缴存地", "Deposited in"),
            _f("from", "month", "起始月", "From"),
            _f("to", "month", "截止月(空=仍在缴)", "To (empty: still depositing)"),
        ),
    ),
    ListSpec(
        "person.residence", "居住证", "Residence permits",
        "此人没有居住证", "The person holds no residence permit",
        (
            _f("place", "place", "签发地", "Issued in"),
            _f("since", "date", "签发日期", "Since"),
        ),
    ),
    ListSpec(
        "cards", "持有的卡", "Cards held",
        "此人没有任何卡", "The person holds no card at all",
        (
            _f("kind", "select", "种类", "Kind", "transit", "social_security", "culture_tourism",
               "library"),
            _f("issuer", "place", "发卡地", "Issued by"),
        ),
    ),
    ListSpec(
        "results", "鉴定、评估与检验检查结果", "Appraisals, assessments and test results",
        "此人没有任何此类结果", "The person has no such result at all",
        (
            _f("kind", "select", "种类", "Kind", "medical_test", "labour_capacity_appraisal",
               "work_injury_determination", "elderly_care_assessment", "talent_recognition"),
            _f("place", "place", "出具地(检验检查:医院所在地)",
               "Made in (tests: the hospital's place)"),
            _f("issued", "date", "出具日期", "Issued on"),
            _f("level", "text", "结论或等级(原文)", "Conclusion or level, as written"),
            _f("hospital_grade", "grade", "医院等级(检验检查)", "Hospital grade (tests)",
               "", "1", "2", "3"),
        ),
    ),
)
LIST_BY_PATH = {spec.path: spec for spec in LISTS}
SCALAR_FIELDS = {f.name: f for _, _, _, fields in SECTIONS for f in fields} | {
    f.name: f for f in (*FUND_FIELDS, *PROJECT_FIELDS, *ENTERPRISE_FIELDS)
}
ROW_NAME = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<index>\d{1,3})\]\.(?P<field>[a-z_]+)$")
MAX_ROWS = 60


def field_id(path: str) -> str:
    """The HTML id of a field from its situation path (``insurance[1].to``:
    ``f-insurance-1-to``)."""
    return "f-" + re.sub(r"[^a-zA-Z0-9_]+", "-", path).strip("-")
