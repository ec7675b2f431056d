"""Plain questions for missing facts, so a caseworker knows what to ask next."""

from __future__ import annotations

import re

_QUESTIONS: list[tuple[str, str, str]] = [
    (
        r"^target$",
        "在哪里办理(办事大厅、医院、乘车地或公积金中心所在的县区)?",
        "Where does the person ask (the hall, hospital, bus or fund centre's county)?",
    ),
    (
        r"^insurance$",
        "此人的社会保险缴费记录(险种、地点、起止月份)是什么?",
        "What are the person's social insurance periods (scheme, place, from, to)?",
    ),
    (
        r"^insurance\[\d+\]\.place$",
        "这段缴费记录在哪个县(区、市)?",
        "In which county was this contribution period paid?",
    ),
    (
        r"^person$",
        "此人的基本情况(出生日期、性别等)是什么?",
        "Who is the person (birth date, sex, …)?",
    ),
    (r"^person\.birth_date$", "此人的出生日期是?", "What is the person's date of birth?"),
    (r"^person\.sex$", "此人的性别是?", "What is the person's sex?"),
    (
        r"^person\.employment$",
        "此人目前是在职、灵活就业、退休还是失业?",
        "Is the person employed, flexibly employed, retired or unemployed?",
    ),
    (r"^person\.retired_on$", "此人何时退休?", "When did the person retire?"),
    # places are asked down to the county: a city is too coarse for zones that list counties
    (r"^person\.pension_place$", "此人的养老金由哪个县(区、市)发放?",
     "Which county (district) pays the pension?"),
    (r"^person\.lives_in$", "此人现在住在哪个县(区、市)?",
     "In which county (district) does the person live now?"),
    (r"^person\.hukou$", "此人的户籍在哪个县(区、市)?",
     "In which county (district) is the person's household registration?"),
    (
        r"^person\.residence$",
        "此人持有哪些居住证(地点、起始日期)?",
        "Which residence permits does the person hold (place, since)?",
    ),
    (
        r"^person\.residence\[\d+\]\.place$",
        "这张居住证是哪个县(区、市)签发的?",
        "Which county issued this residence permit?",
    ),
    (
        r"^cards$",
        "此人持有哪些卡(交通卡、社保卡等,及发卡城市)?",
        "Which cards does the person hold (transit, social security, …, and the issuing city)?",
    ),
    (r"^cards\[\d+\]\.issuer$", "这张卡是哪个县(区、市)发的?", "Which county issued this card?"),
    (
        r"^provident_fund(\.periods)?$",
        "此人的公积金缴存记录(地点、起止月份)是什么?",
        "What are the person's provident fund deposit periods (place, from, to)?",
    ),
    (
        r"^provident_fund\.periods\[\d+\]\.place$",
        "这段公积金在哪个县(区、市)缴存?",
        "In which county were these fund deposits made?",
    ),
    (r"^provident_fund\.balance$", "公积金账户余额是多少?", "What is the fund account balance?"),
    (
        r"^provident_fund\.outstanding_loans$",
        "本人及配偶是否有未还清的公积金贷款?",
        "Do the person or spouse have a fund loan not yet repaid?",
    ),
    (
        r"^provident_fund\.couple_application$",
        "是否夫妻共同申请贷款?",
        "Does the person apply together with a spouse?",
    ),
    (
        r"^provident_fund\.spouse_balance$",
        "配偶的公积金账户余额是多少?",
        "What is the spouse's fund account balance?",
    ),
    (r"^request\.service$", "办理哪项政务服务?", "Which service is asked for?"),
    (r"^request\.hospital_grade$", "办理地医院是几级医院?",
     "What grade (1-3) is the hospital at the target?"),
    (r"^results$",
     "此人持有哪些结论或结果(劳动能力鉴定、工伤认定、自理能力评估、检验结果,及出具地)?",
     "Which official results does the person hold (appraisals, work-injury determinations, "
     "self-care assessments, medical tests, and where each was issued)?"),
    (r"^results\[\d+\]\.place$", "这份结果是哪个县(区、市)出具的?",
     "In which county was this result issued?"),
    (r"^results\[\d+\]\.hospital_grade$", "出具这份检验结果的医院是几级医院?",
     "What grade (1-3) is the hospital that made this test?"),
    (r"^person\.talent$", "此人是否被认定为高层次人才或紧缺型技术人才?",
     "Is the person recognised as a high-level or shortage technical talent?"),
    (r"^person\.residence\[\d+\]\.since$", "这张居住证从何时起持有?",
     "Since when has the person held this residence permit?"),
    (r"^project\.jointly_introduced$", "该项目是否由两地共同引进、共同建设?",
     "Was the project introduced and built jointly by the two sides?"),
    (r"^project\.gdp$", "该项目本期GDP是多少(元)?", "What is the project's GDP for the period?"),
    (r"^project\.tax$", "该项目本期税收是多少(元)?",
     "What is the project's tax revenue for the period?"),
    (r"^project\.flying_(out|in)$", "项目的飞出地和飞入地分别是哪里?",
     "Where does the project fly out from, and where does it land?"),
    (r"^project\.major_industrial$",
     "该项目是否为政府引导的跨区域重大产业项目,或承接市外、省外转移的重大产业项目?",
     "Is it a major industrial project invested across regions under government guidance, or "
     "moved in from another city or province?"),
    (r"^project$", "该项目的基本情况(飞出地、飞入地等)是什么?",
     "What is the project (where it flies out from and lands, …)?"),
    (r"^enterprise$", "该企业的基本情况(登记地、是否旅行社、信用名单)是什么?",
     "What is the enterprise (where registered, whether a travel agency, its credit listing)?"),
    (r"^enterprise\.registered_in$", "该企业在哪个县(区、市)登记注册?",
     "In which county is the enterprise registered?"),
    (r"^enterprise\.travel_agency$", "该企业是否为旅行社?", "Is the enterprise a travel agency?"),
    (r"^enterprise\.credit$", "该企业是否被列入守信或失信名单?",
     "Is the enterprise listed as trustworthy or as dishonest?"),
    (r"^person\.work_place$", "此人在哪里工作?", "Where does the person work?"),
    (r"^provident_fund\.periods\[\d+\]\.(from|to)$", "这段公积金缴存从哪个月到哪个月?",
     "From which month to which month were these fund deposits made?"),
    (r"^insurance\[\d+\]\.(from|to)$", "这段缴费从哪个月到哪个月?",
     "From which month to which month was this period paid?"),
    (r"^results\[\d+\]\.issued$", "这份结果是何时出具的?", "When was this result issued?"),
    (r"^request$", "此人要办理什么(政务服务事项、就诊医院等级)?",
     "What does the person ask for (a service item, the hospital's grade)?"),
]


def question_for(path: str, lang: str = "zh") -> str:
    for pattern, zh, en in _QUESTIONS:
        if re.match(pattern, path):
            return en if lang == "en" else zh
    return f"What is {path}?" if lang == "en" else f"{path} 是什么?"
