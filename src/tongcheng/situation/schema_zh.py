"""The situation's JSON Schema in Chinese: every ``title`` and ``description`` of the
schemas ``tongcheng schema`` prints (a situation; with --events, a watch stream's line) and
``GET /v1/schema/situation`` serves, keyed by the English text (as gettext keys a message by
its msgid). An English text changed without its entry here stays English in the Chinese
schema, and ``tests/test_schema_languages.py`` names it.

Field names, codes, formats and examples stay as a program sends them; only the words around
them are Chinese.
"""

ZH: dict[str, str] = {
    # Card
    "A card the person holds.": "此人持有的一张卡。",
    "transit | social_security | culture_tourism | library.":
        "transit(交通卡) | social_security(社保卡) | culture_tourism(文旅卡) | library(借书证)。",
    "Kind": "种类",
    "The place that issued the card.": "发卡的地区。",
    "Issuer": "发卡地",
    "Card": "卡",
    # Enterprise (and the place code every place field takes)
    "An enterprise, when the subject is an enterprise: the subject of rules on enterprise\n"
    "subsidies and on credit lists acted on across cities.":
        "企业,当主体是企业时:企业补贴规则以及跨城市据以采取措施的信用名单规则的主体。",
    "The enterprise's name.": "企业名称。",
    "Name": "名称",
    "six-digit administrative division code (GB/T 2260); a six-digit number is read as the same "
    "code":
        "六位行政区划代码(GB/T 2260);写成六位数字时视为同一代码",
    "Where the enterprise is registered (its credit record is kept there).":
        "企业的登记地(其信用记录保存在那里)。",
    "Registered In": "登记地",
    "true: a travel agency (旅行社), which can receive ground-handling (地接) subsidies.":
        "true:是旅行社,可以获得地接补贴。",
    "Travel Agency": "旅行社",
    "Its credit listing where registered: trustworthy (守信) | dishonest (失信) | none.":
        "企业在登记地的信用名单:trustworthy(守信) | dishonest(失信) | none(无)。",
    "Credit": "信用名单",
    "Enterprise": "企业",
    # FundPeriod
    "A housing provident fund (住房公积金) deposit period; both end months are included.":
        "一段住房公积金缴存期间;首尾两个月都包括在内。",
    "Where paid; a retired code is valid for a period begun before its change.":
        "缴纳地;已停用的代码适用于在其变更之前开始的期间。",
    "Place": "地点",
    "First month deposited, YYYY-MM.": "缴存的第一个月,YYYY-MM。",
    "From": "起始月",
    "Last month deposited, YYYY-MM; absent: still depositing (the period runs through as_of).":
        "缴存的最后一个月,YYYY-MM;缺省:仍在缴存(期间延续到 as_of)。",
    "To": "至",
    "FundPeriod": "公积金缴存期间",
    # InsurancePeriod
    "A social-insurance contribution period; both end months are included.":
        "一段社会保险缴费期间;首尾两个月都包括在内。",
    "employee_medical | resident_medical | pension | unemployment | work_injury.":
        "employee_medical(职工医保) | resident_medical(居民医保) | pension(养老保险) | "
        "unemployment(失业保险) | work_injury(工伤保险)。",
    "Scheme": "险种",
    "First month paid, YYYY-MM.": "缴费的第一个月,YYYY-MM。",
    "Last month paid, YYYY-MM; absent: still paying (the period runs through as_of).":
        "缴费的最后一个月,YYYY-MM;缺省:仍在缴费(期间延续到 as_of)。",
    "true marks deemed (视同缴费) years; absent means not deemed.":
        "true 表示视同缴费年限;缺省表示不是视同缴费。",
    "Deemed": "视同缴费",
    "InsurancePeriod": "社会保险缴费期间",
    # Person
    "The person asking. Every field is optional: absent or null means unknown.":
        "前来办事的人。每个字段都可以缺省:缺省或 null 表示未知。",
    "Date of birth.": "出生日期。",
    "Birth Date": "出生日期",
    "male | female.": "male(男) | female(女)。",
    "Sex": "性别",
    "Household registration (户籍) place.": "户籍所在地。",
    "Hukou": "户籍地",
    "Where the person actually lives now.": "此人现在实际居住的地方。",
    "Lives In": "现居住地",
    "Residence permits held; a given list is complete ([] = none held).":
        "持有的居住证;列表一经给出即视为完整([] = 一张也没有)。",
    "Residence": "居住证",
    "employed | flexible | retired | unemployed.":
        "employed(在职) | flexible(灵活就业) | retired(退休) | unemployed(失业)。",
    "Employment": "就业状态",
    "Where the person works.": "此人的工作地。",
    "Work Place": "工作地",
    "With employment: retired, the date of retirement.": "employment 为 retired 时:退休的日期。",
    "Retired On": "退休日期",
    "With employment: retired, the city that pays the pension.":
        "employment 为 retired 时:发放养老金的城市。",
    "Pension Place": "养老金发放地",
    "Recognised talent category: high_level (高层次人才) | shortage_technical (紧缺型技术人才)\n"
    "| none.":
        "认定的人才类别:high_level(高层次人才) | shortage_technical(紧缺型技术人才) | "
        "none(不属于人才类别)。",
    "Talent": "人才类别",
    "Person": "个人",
    # Project
    "A jointly introduced industrial project: the subject of the flying-enclave rule.":
        "共同引进的产业项目:飞地规则的主体。",
    "The project's name.": "项目名称。",
    "true: introduced and built jointly by the two sides (共引共建).":
        "true:由双方共同引进、共同建设(共引共建)。",
    "Jointly Introduced": "共引共建",
    "The side the project flies out from (飞出地).": "项目飞出的一方(飞出地)。",
    "Flying Out": "飞出地",
    "The side where the project lands (飞入地).": "项目落地的一方(飞入地)。",
    "Flying In": "飞入地",
    "The project's GDP for the period, yuan.": "项目本期的 GDP,单位元。",
    "Gdp": "GDP",
    "The project's tax revenue for the period, yuan.": "项目本期的税收,单位元。",
    "Tax": "税收",
    "true: a major industrial project (重大产业项目) invested across regions under government\n"
    "guidance, or transferred in from another city or province.":
        "true:在政府引导下跨区域投资的重大产业项目,或从市外、省外转入的重大产业项目。",
    "Major Industrial": "重大产业项目",
    "Project": "项目",
    # ProvidentFund
    "The person's housing provident fund account. Absent or null fields are unknown.":
        "此人的住房公积金账户。缺省或为 null 的字段表示未知。",
    "Deposit periods; a given list is complete ([] = never deposited).":
        "缴存期间;列表一经给出即视为完整([] = 从未缴存)。",
    "Periods": "缴存期间",
    "Current account balance, yuan.": "当前账户余额,单位元。",
    "Balance": "账户余额",
    "Number of fund loans not yet repaid (borrower and spouse).":
        "未还清的公积金贷款笔数(借款人及配偶)。",
    "Outstanding Loans": "未还清贷款笔数",
    "true: the borrower applies together with a spouse (loan caps for couples apply).":
        "true:借款人与配偶共同申请(适用夫妻贷款额度上限)。",
    "Couple Application": "夫妻共同申请",
    "The spouse's account balance, yuan (for couple applications).":
        "配偶的账户余额,单位元(用于夫妻共同申请)。",
    "Spouse Balance": "配偶账户余额",
    "ProvidentFund": "住房公积金",
    # Request
    "What the person asks for. Absent: no particular service (not an unknown fact).":
        "此人要办理什么。缺省:没有特定的服务事项(不是未知的事实)。",
    "The one-stop service item asked for (e.g. hukou_migration); absent: none in particular.":
        "申请办理的跨市通办事项(如 hukou_migration);缺省:没有特定的事项。",
    "Service": "服务事项",
    "Grade (1-3) of the hospital at the target, where a test result is to be recognised.":
        "办理地医院的等级(1-3),用于检验检查结果的互认。",
    "Hospital Grade": "医院等级",
    "Request": "办理请求",
    # Residence
    "A residence permit (居住证) held.": "持有的一张居住证。",
    "Where the permit was issued.": "居住证的签发地。",
    "The date the permit was first issued; a retired place code is valid before its change.":
        "居住证首次签发的日期;已停用的地区代码在其变更之前有效。",
    "Since": "起始日期",
    # Result
    "An official result issued in one place that another may recognise: an appraisal\n"
    "conclusion, a work-injury determination, an elderly self-care assessment, a medical test, a\n"
    "talent recognition.":
        "在一地出具、另一地可能予以互认的官方结果:鉴定结论、工伤认定、老年人自理能力评估、"
        "医学检验检查、人才认定。",
    "labour_capacity_appraisal | work_injury_determination | elderly_care_assessment |\n"
    "medical_test | talent_recognition (a place's recognition of the person as a talent).":
        "labour_capacity_appraisal(劳动能力鉴定) | work_injury_determination(工伤认定) | "
        "elderly_care_assessment(老年人能力评估) | medical_test(医学检验检查) | "
        "talent_recognition(某地认定此人为人才)。",
    "Where it was issued (for a medical test: the hospital's place).":
        "出具地(医学检验检查:医院所在地)。",
    "When it was issued.": "出具日期。",
    "Issued": "出具日期",
    "The conclusion or level as written (e.g. an assessment grade).":
        "原文所写的结论或等级(如评估等级)。",
    "Level": "结论或等级",
    "For medical tests: the grade (1-3) of the hospital that made it.":
        "医学检验检查:出具结果的医院的等级(1-3)。",
    "Result": "结果",
    # Situation
    "The facts about one person as of a date. Absent or null means unknown; a list, once\n"
    "given, is complete.":
        "截至某一日期,关于一个人的事实。缺省或 null 表示未知;列表一经给出即视为完整。",
    "The date rules are evaluated at (default: today).": "评估规则所依据的日期(默认:今天)。",
    "As Of": "评估日期",
    "Where the person asks: the service hall, the hospital, the bus, the fund centre.":
        "此人在哪里办理:办事大厅、医院、乘车地、公积金中心。",
    "Target": "办理地",
    "The person asking.": "前来办事的人。",
    "Social-insurance contribution periods; a given list is complete ([] = none).":
        "社会保险缴费期间;列表一经给出即视为完整([] = 没有)。",
    "Insurance": "社会保险",
    "The housing provident fund account.": "住房公积金账户。",
    "Cards held; a given list is complete ([] = no card at all).":
        "持有的卡;列表一经给出即视为完整([] = 没有任何卡)。",
    "Cards": "持有的卡",
    "The service asked for.": "申请办理的服务。",
    "Official results held (appraisals, determinations, assessments, tests); a given list is\n"
    "complete.":
        "持有的官方结果(鉴定、认定、评估、检验检查);列表一经给出即视为完整。",
    "Results": "结果",
    "A project, when the subject is a project rather than a person.":
        "项目,当主体是项目而不是个人时。",
    "An enterprise, when the subject is an enterprise (not together with a project).":
        "企业,当主体是企业时(不能与项目同时给出)。",
    "Situation": "情形",
    # a line of the watch event stream (cases/stream_schema.py)
    "tongcheng watch: one line of the event stream": "tongcheng watch:事件流中的一行",
    "One JSON object a line (JSON Lines). Actions: open a case with facts, an event (type: "
    "transfer_in, retirement, move, hospital_admission, loan_application, card_issued, "
    "residence_permit_issued, service_request), facts merged into the case, advance_to (one "
    "case's clock with subject, every case's without), close.":
        "每行一个 JSON 对象(JSON Lines)。动作:open 以事实开立案件,event 一个事件(type:"
        "transfer_in、retirement、move、hospital_admission、loan_application、card_issued、"
        "residence_permit_issued、service_request),facts 并入案件的事实,advance_to(带 subject "
        "时推进一个案件的时钟,不带时推进每个案件的时钟),close 结案。",
    "whose case: one case per subject": "谁的案件:每个对象一个案件",
    "the day the line speaks of": "该行所说的日子",
    "the facts known at the opening": "开立案件时已知的事实",
    "a life event": "一个生活事件",
    "a partial situation: mappings merge, lists replace, null makes a fact unknown":
        "部分情形:映射合并,列表替换,null 使一项事实变为未知",
    "move the clock to this day": "把时钟移到这一天",
    "close the case": "结案",
    # the life events (cases/events.py)
    "A card is issued to the person (the list of cards must be known).":
        "向此人发放一张卡(持有的卡的列表必须已知)。",
    "Type": "类型",
    "On": "日期",
    "CardIssued": "发卡",
    "The person is admitted to a hospital in ``hospital`` (the target: where it is settled).":
        "此人在 ``hospital`` 的医院住院(即办理地:在那里结算)。",
    "Hospital": "医院",
    "Grade": "等级",
    "HospitalAdmission": "住院",
    "The person applies for a provident fund loan at the fund centre of ``place``.":
        "此人在 ``place`` 的公积金中心申请公积金贷款。",
    "Couple": "夫妻共同申请",
    "LoanApplication": "贷款申请",
    "The person moves to live in ``to``, which becomes the target (the portal serves the\n"
    "person where they now live).":
        "此人迁往 ``to`` 居住,该地成为办理地(门户在此人现在居住的地方为其服务)。",
    "Move": "迁居",
    "A residence permit (居住证) is issued in ``place`` (the list of permits must be known).":
        "在 ``place`` 签发一张居住证(居住证的列表必须已知)。",
    "ResidencePermitIssued": "签发居住证",
    "The person retires on ``on``; the pension is paid by ``pension_place`` when given.":
        "此人于 ``on`` 退休;给出 ``pension_place`` 时,养老金由该地发放。",
    "Retirement": "退休",
    "The person asks for a one-stop service item at ``place`` (the target).":
        "此人在 ``place``(办理地)申请办理一项跨市通办事项。",
    "ServiceRequest": "申请办理事项",
    "The insurance relation (or the provident fund account) is transferred into ``to``.\n\n"
    "Running periods of the scheme elsewhere end the month before ``on``; a period at ``to``\n"
    "starts in the month of ``on``; ``to`` becomes the target (the receiving office).":
        "社会保险关系(或住房公积金账户)转入 ``to``。\n\n"
        "该险种在别处尚未结束的期间于 ``on`` 的前一个月结束;在 ``to`` 的期间从 ``on`` "
        "所在的月份开始;``to`` 成为办理地(接收方经办机构)。",
    "TransferIn": "转入",
    # the service's $defs.PlaceCode (service/schema.py)
    "a code of the place registry (GB/T 2260; GET /v1/places/{code}); a six-digit number is read "
    "as the same code. A retired code is accepted only for a moment before its retirement (the "
    "service checks that)":
        "行政区划代码表中的一个代码(GB/T 2260;GET /v1/places/{code});写成六位数字时视为同一代码。"
        "已停用的代码只用于其停用之前的时间点(由服务检查)",
}
