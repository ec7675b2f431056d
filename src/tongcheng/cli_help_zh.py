"""The commands' help in Chinese, keyed by the English text click is given (as gettext keys
a message by its msgid): ``cli_help`` says each help text from here when the command line
speaks Chinese. An English help changed without its entry here shows in English, and
``tests/test_cli_help.py`` names it. Placeholders are said as ``cli_help.PLACEHOLDERS`` says
them (``SITUATION`` → 情形)."""

ZH: dict[str, str] = {
    # tongcheng
    "同城 tongcheng: same-city treatment across Shandong's integration zones.":
        '同城 tongcheng:山东各一体化区域的跨城同城化待遇。',
    # tongcheng --version
    'Show the version and exit.':
        '显示版本并退出。',
    # tongcheng --lang
    "Language of the help and of every command (default: Chinese; a command's own "
    '--lang wins).':
        '帮助和每个命令的语言(默认:中文;命令自己的 --lang 优先)。',
    # tongcheng --help
    'Show this message and exit.':
        '显示本帮助并退出。',
    # tongcheng check
    'Decide every rule for the situation in SITUATION (JSON or YAML; - for '
    'stdin).\n\nThe table shows one line per rule (status, firmness, main outcome) and '
    "the questions to ask\nnext; --explain (or --rule ID) adds each decision's trace "
    'and basis.':
        '对 情形 中的情形判定每一条规则(JSON 或 YAML;- 表示标准输入)。'
        '\n\n表格每条规则一行(状态、确定程度、主要结果),并列出接下来要问的问题;'
        '--explain(或 --rule 规则编号)另外给出每项判定的推理过程和依据。',
    # tongcheng check --as-of TEXT
    "Evaluate as of this date (YYYY-MM-DD); overrides the situation's as_of. Default: "
    "the situation's, else today.":
        '按此日期评估(YYYY-MM-DD),优先于情形中的 as_of。默认:情形中的日期,没有则为今天。',
    # tongcheng check --rule TEXT
    'Only this rule, with its trace and basis (repeatable).':
        '只判定这条规则,并给出其推理过程和依据(可重复)。',
    # tongcheng check --explain
    "Show each decision's trace, missing facts and basis (the table shows one line per "
    'rule).':
        '显示每项判定的推理过程、缺少的事实和依据(表格每条规则一行)。',
    # tongcheng check --format [table|json]
    'Print a table to read, or JSON for programs.':
        '输出格式:供阅读的表格,或供程序使用的 JSON。',
    # tongcheng check --lang [zh|en]
    'Language of titles and reasons.':
        '标题和理由的语言。',
    # tongcheng check --pack DIRECTORY
    'Rule-pack folder (default: the bundled pack).':
        '规则包文件夹(默认:内置规则包)。',
    # tongcheng check --overlay DIRECTORY
    "An overlay folder layered on the pack: a deployment's own parameter values, "
    'documents and rules (repeatable, applied in order).':
        '叠加在规则包上的叠加层文件夹:一个部署自己的参数值、文件和规则(可重复,'
        '按给出顺序叠加)。',
    # tongcheng check --records URL
    'Record the decisions in this store: a file (SQLite) or postgresql://… (default: '
    '$TONGCHENG_RECORDS; none: nothing is recorded).':
        '把判定记入此记录库:一个文件(SQLite)或 postgresql://…(默认:$TONGCHENG_RECORDS;'
        '未给出则不记录)。',
    # tongcheng check --actor TEXT
    'Who decides (a caseworker id), kept in the record.':
        '判定人(窗口工作人员编号),记入记录。',
    # tongcheng compare
    'Decide every person of POPULATION under two rule packs and report what '
    'changes.\n\nEach side is a pack (the bundled one by default), with overlays, at a '
    "date or at each\nrow's own as_of. Both are decided by the vectorised evaluator "
    'over one read of the input;\nonly the rules whose inputs differ are decided '
    'twice. The report gives, per rule, the\ntransitions (status and firmness, from → '
    'to), counts and shares by target city, household\ncity and age band, the numeric '
    'outcomes on both sides, and example ids.':
        '在两个规则包下判定 人群 中的每个人,报告有何变化。'
        '\n\n每一方是一个规则包(默认为内置规则包)及其叠加层,在某一日期或按每行自己的 as_of '
        '判定。两方都由向量化评估器在一次读取输入后判定;只有输入不同的规则才判定两次。'
        '报告按规则给出转变(状态和确定程度,从 → 到)、按办理城市、户籍城市和年龄段的人数和占'
        '比、两方的数值结果,以及示例编号。',
    # tongcheng compare -o, --output PATH
    'Report folder: summary.json, report.html, changed.parquet, rejects.jsonl.':
        '报告文件夹:summary.json、report.html、changed.parquet、rejects.jsonl。',
    # tongcheng compare --base PACK[@DATE]
    'The side before the change: a pack folder (default: the bundled pack), decided at '
    "DATE when given (else each row's own as_of).":
        '变化之前的一方:一个规则包文件夹(默认:内置规则包),'
        '给出日期时按该日期判定(否则按每行自己的 as_of)。',
    # tongcheng compare --base-overlay DIRECTORY
    'Overlay on the base side (repeatable).':
        '基准一方的叠加层(可重复)。',
    # tongcheng compare --new PACK[@DATE]
    'The side after the change, as --base.':
        '变化之后的一方,写法同 --base。',
    # tongcheng compare --new-overlay DIRECTORY
    'Overlay on the new side (repeatable).':
        '新一方的叠加层(可重复)。',
    # tongcheng compare --input-format [auto|parquet|csv|jsonl]
    'Format of POPULATION (default: by its extension).':
        '人群 的格式(默认:按扩展名)。',
    # tongcheng compare --chunk-size INTEGER RANGE
    'Rows decided at once: bounds memory.':
        '一次判定的行数:限制内存用量。',
    # tongcheng compare --lang [zh|en]
    'Language of the terminal table and the HTML report.':
        '终端表格和 HTML 报告的语言。',
    # tongcheng compare --html / --no-html
    'Write REPORT/report.html (charts embedded: opens offline).':
        '写出 REPORT/report.html(图表内嵌:可离线打开)。',
    # tongcheng compare --progress / --no-progress
    'Progress bar on stderr (default: when stderr is a terminal).':
        '在标准错误输出显示进度条(默认:标准错误输出是终端时显示)。',
    # tongcheng coverage
    'Which policy sources the rules cite, and which promised treatments are encoded.':
        '规则引用了哪些政策来源,哪些承诺的待遇已经编码。',
    # tongcheng docs
    'Write a static site of the rule pack (zh and en) to OUTPUT; open '
    'OUTPUT/index.html.':
        '把规则包写成静态网站(中英文)到 输出;打开 输出/index.html。',
    # tongcheng docs -o, --output PATH
    'Folder to write the site to (new, empty, or an earlier site).':
        '写入网站的文件夹(新建的、空的,或之前生成的网站)。',
    # tongcheng docs --lang [zh|en]
    "Language of the command's messages (the site is written in both).":
        '本命令消息的语言(网站两种语言都写)。',
    # tongcheng lint
    'Static checks of the rule pack in PACK or --pack (default: the bundled one), with '
    'its\noverlays.\n\nOne line per finding, `file:line: severity: message [check]` '
    '(the severity and message in\n--lang, the check id as it is); with overlays, a '
    'note for each thing an overlay adds,\nreplaces, extends or fills, and a '
    'conflicting overlay fails to load with its file and line.\nExit 0 when there is '
    'no error (warnings allowed), 1 when there are errors, 3 when the pack\nor an '
    'overlay fails to load.':
        '对 规则包 或 --pack 中的规则包(默认:内置规则包)及其叠加层做静态检查。'
        '\n\n每个发现一行,格式为 `文件:行: 严重程度: 消息 [检查]`(严重程度和消息使用 '
        '--lang 的语言,检查编号原样);有叠加层时,'
        '叠加层每增加、替换、扩展或填补一项都给出一条说明,相互冲突的叠加层加载失败,'
        '并指出其文件和行。没有错误时(允许警告)退出码为 0,有错误时为 1,'
        '规则包或叠加层加载失败时为 3。',
    # tongcheng lint --format [text|json]
    'Print text to read, or JSON for programs.':
        '输出格式:供阅读的文本,或供程序使用的 JSON。',
    # tongcheng lint --parameter-coverage
    'Print, for each rule and parameter it reads, the value at every place and date '
    'the rule can be asked (and where none applies), instead of the checks.':
        '不做检查,改为按规则列出其读取的每个参数在该规则可被询问的每个地方和日期的值(以及没'
        '有值适用之处)。',
    # tongcheng lint --lang [zh|en]
    'Language of the findings, the summary and the errors.':
        '发现、汇总和错误的语言。',
    # tongcheng records
    'Decision records: list, show, export, verify, seal, purge (tongcheng.record/1).':
        '判定记录:列出、查看、导出、验证、封存、清除(tongcheng.record/1)。',
    # tongcheng records export
    'Export records as JSON Lines (canonical, as stored) or Parquet.':
        '把记录导出为 JSON Lines(规范形式,与存储一致)或 Parquet。',
    # tongcheng records export --records URL
    'The record store: a file (SQLite) or postgresql://USER@HOST:PORT/DB (default: '
    '$TONGCHENG_RECORDS).':
        '记录库:一个文件(SQLite)或 postgresql://用户@主机:端口/数据库(默认:$TONGCHENG_RECOR'
        'DS)。',
    # tongcheng records export --since DATE
    'Records made at or after DATE (YYYY-MM-DD or ISO date-time, UTC).':
        '在 日期 当时或之后生成的记录(YYYY-MM-DD 或 ISO 日期时间,UTC)。',
    # tongcheng records export --until DATE
    'Records made before DATE.':
        '在 日期 之前生成的记录。',
    # tongcheng records export --actor TEXT
    'Records of this actor (caseworker id).':
        '此判定人(窗口工作人员编号)的记录。',
    # tongcheng records export --channel [api|page|cli|screen|watch]
    'Records of one channel.':
        '某一渠道的记录。',
    # tongcheng records export --rule TEXT
    'Records deciding this rule (with --status: with that status for it).':
        '判定了这条规则的记录(与 --status 同用时:该规则为此状态的记录)。',
    # tongcheng records export --status [eligible|ineligible|undetermined|not_applicable]
    'Records with a decision of this status.':
        '含有此状态判定的记录。',
    # tongcheng records export --pack-digest DIGEST
    'Records decided under this pack (sha256:…, a prefix is enough).':
        '在此规则包下判定的记录(sha256:…,给出前缀即可)。',
    # tongcheng records export -o, --output PATH
    'Where to write (- for stdout, JSON Lines only).':
        '写到哪里(- 表示标准输出,仅限 JSON Lines)。',
    # tongcheng records export --format [auto|jsonl|parquet]
    "auto: by the output's suffix (.parquet, else JSON Lines).":
        'auto:按输出文件的后缀(.parquet,否则为 JSON Lines)。',
    # tongcheng records export --lang [zh|en]
    'Language of the messages and tables.':
        '消息和表格的语言。',
    # tongcheng records keygen
    'Write a new Ed25519 signing key to PATH (readable by its owner only).':
        '把新的 Ed25519 签名密钥写到 路径(只有其所有者可读)。',
    # tongcheng records list
    'List records (oldest first), filtered by time, actor, channel, rule, status, pack.':
        '列出记录(最早的在前),可按时间、判定人、渠道、规则、状态、规则包筛选。',
    # tongcheng records list --limit INTEGER RANGE
    'At most this many records.':
        '最多列出的记录数。',
    # tongcheng records purge
    'Remove records older than a date, as data-protection rules require (the log keeps '
    'their\nhashes, and the purge itself, so it still verifies).':
        '按数据保护规定删除早于某一日期的记录(日志保留其哈希值以及这次清除本身,'
        '因此仍能通过验证)。',
    # tongcheng records purge --before DATE
    'Remove the records made before DATE (YYYY-MM-DD: its start, UTC).':
        '删除 日期 之前生成的记录(YYYY-MM-DD:该日零时,UTC)。',
    # tongcheng records purge --signing-key FILE
    'Ed25519 private key (PEM) that signs tree heads (default: $TONGCHENG_RECORDS_KEY).':
        '为树头签名的 Ed25519 私钥(PEM)(默认:$TONGCHENG_RECORDS_KEY)。',
    # tongcheng records seal
    'Seal the records written since the last tree head into the log (a new signed '
    'head).':
        '把上一个树头之后写入的记录封存进日志(一个新的已签名树头)。',
    # tongcheng records show
    'Show the record RECORD_ID (its JSON, exactly as stored, or a table).':
        '显示记录 记录编号(与存储完全一致的 JSON,或表格)。',
    # tongcheng records show --format [json|table]
    "The record's JSON exactly as stored, or a table to read.":
        '记录的 JSON(与存储完全一致),或供阅读的表格。',
    # tongcheng records verify
    'Recompute the Merkle log: name every record altered, removed or moved (exit 1).':
        '重新计算 Merkle 日志:指出每条被改动、删除或移动的记录(退出码 1)。',
    # tongcheng records verify --public-key TEXT
    'The public key to check signatures with (64 hex digits, or a file): your own copy,'
    " not the store's.":
        '用于核对签名的公钥(64 位十六进制数字,或一个文件):应为您自己保存的副本,'
        '而不是记录库中的。',
    # tongcheng replay
    'Decide recorded situations again, with the screening evaluator.\n\nUnder each '
    "record's own archived pack (the default) every decision must come out exactly\nas "
    'recorded (exit 1 naming the records that do not); under another pack (--pack) '
    'the\nreport counts the transitions per rule and status and names the records '
    'affected.\nRecorded decisions are read from the compact columns (trusted once '
    '`records verify`\npasses), or from the bodies with --from-bodies.':
        '用筛查评估器重新判定记录中的情形。\n\n在每条记录自己存档的规则包下(默认),'
        '每项判定都必须与记录完全一致(否则退出码为 1,并指出不一致的记录);'
        '在另一个规则包下(--pack),报告按规则和状态统计转变,并指出受影响的记录。'
        '记录的判定从紧凑列读取(`records verify` 通过后即可信任),或用 --from-bodies '
        '从记录正文读取。',
    # tongcheng replay --pack DIRECTORY
    "Decide under this pack instead of each record's own archived pack: the report "
    'says what changes.':
        '在此规则包下判定,而不是每条记录自己存档的规则包:报告说明有何变化。',
    # tongcheng replay --examples INTEGER RANGE
    'Record ids listed per transition (all of them with --format json --examples 0).':
        '每种转变列出的记录编号个数(--format json --examples 0 时全部列出)。',
    # tongcheng replay --chunk-size INTEGER RANGE
    'Records decided at once (memory grows with it).':
        '一次判定的记录数(内存用量随之增长)。',
    # tongcheng replay --from-bodies
    "Compare with the records' bodies themselves (slower) instead of their compact "
    'columns, which `records verify` proves match the bodies.':
        '与记录正文本身比较(较慢),而不是与其紧凑列比较;`records verify` '
        '可证明紧凑列与正文一致。',
    # tongcheng rules
    "List the pack's rules, or show RULE_ID with its basis and parameters.":
        '列出规则包中的规则,或显示 规则编号 的规则及其依据和参数。',
    # tongcheng rules --format [table|json|markdown]
    'Print a table, JSON, or Markdown (for documents).':
        '输出格式:表格、JSON,或 Markdown(用于文档)。',
    # tongcheng rules --compiled
    'Print the Python code RULE_ID is compiled to (generated from its checked syntax '
    'trees), for review.':
        '打印 规则编号 的规则被编译成的 Python 代码(由其已检查的语法树生成),供审阅。',
    # tongcheng schema
    "Print the JSON Schema of a situation (or, with --events, of a watch stream's "
    'line).':
        '打印情形的 JSON Schema(或用 --events 时,打印 watch 事件流中一行的 JSON Schema)。',
    # tongcheng schema --lang
    "Language of the schema's titles and descriptions.":
        'Schema 的标题和说明(title、description)的语言。',
    # tongcheng schema --events
    'The schema of a line of a `tongcheng watch` event stream instead.':
        '改为打印 `tongcheng watch` 事件流中一行的 Schema。',
    # tongcheng screen
    'Decide every rule for every situation in INPUT (Parquet, CSV or JSON '
    'Lines).\n\nWrites one row per valid situation to OUTPUT (Parquet): _row (the '
    'input row, from 0), id\n(when the input has one), and per rule RULE.status, '
    'RULE.firmness and RULE.outcome.NAME.\nRows the situation model refuses go to the '
    'rejects file with every problem named; so does\na row a rule errs on (a defect of '
    'the pack: the rule, its file and line named), and the run\ngoes on. At the end, a '
    'summary (rule × status × firmness, by target city) on stderr and '
    'in\nOUTPUT.summary.json.':
        '对 输入(Parquet、CSV 或 JSON Lines)中的每个情形判定每一条规则。\n\n每个有效情形向 '
        '输出(Parquet)写一行:_row(输入的行号,从 0 开始)、id(输入中有时),以及每条规则的 '
        'RULE.status、RULE.firmness 和 RULE.outcome.NAME。情形模型拒收的行写入拒收文件,'
        '并指出每个问题;某条规则出错的行(规则包的缺陷:指出规则及其文件和行)也是如此,'
        '运行继续。结束时,汇总(规则 × 状态 × 确定程度,按办理城市)写到标准错误输出和 '
        '输出.summary.json。',
    # tongcheng screen -o, --output PATH
    'File of decisions: Parquet, CSV or JSON Lines by its extension or --output-format '
    '(a Parquet folder with --engine spark).':
        '判定结果文件:按扩展名或 --output-format 为 Parquet、CSV 或 JSON Lines(--engine '
        'spark 时为 Parquet 文件夹)。',
    # tongcheng screen --input-format [auto|parquet|csv|jsonl]
    'Format of INPUT (default: by its extension).':
        '输入 的格式(默认:按扩展名)。',
    # tongcheng screen --output-format [parquet|csv|jsonl]
    'Format of OUTPUT (default: by its extension: .parquet, .csv, .jsonl; else '
    'Parquet).':
        '输出 的格式(默认:按扩展名:.parquet、.csv、.jsonl;其他为 Parquet)。',
    # tongcheng screen --lang [zh|en]
    "Language of the summary printed at the end and of the rejects' reasons.":
        '结束时打印的汇总和拒收理由的语言。',
    # tongcheng screen --rule TEXT
    'Only this rule (repeatable).':
        '只判定这条规则(可重复)。',
    # tongcheng screen --status [eligible|ineligible|undetermined|not_applicable]
    'Keep only persons for whom some selected rule has this status (repeatable).':
        '只保留所选规则中有某条为此状态的人(可重复)。',
    # tongcheng screen --as-of TEXT
    "Evaluate every row as of this date; default: each row's own, else today.":
        '每一行都按此日期评估;默认:每行自己的日期,没有则为今天。',
    # tongcheng screen --rejects PATH
    'Where rejected rows go (JSON Lines); default OUTPUT.rejects.jsonl.':
        '拒收的行写到哪里(JSON Lines);默认 输出.rejects.jsonl。',
    # tongcheng screen --chunk-size INTEGER RANGE
    'Rows evaluated at once: bounds memory.':
        '一次评估的行数:限制内存用量。',
    # tongcheng screen --engine [local|spark]
    'Evaluate here (polars), or per partition on Spark.':
        '在本机评估(polars),或在 Spark 上按分区评估。',
    # tongcheng screen --master TEXT
    'Spark master URL (default: SPARK_MASTER, else local[*]).':
        'Spark 主节点地址(默认:SPARK_MASTER,没有则为 local[*])。',
    # tongcheng serve
    'Serve the /v1 JSON API and the caseworker page at / (OpenAPI at /v1/docs).':
        '提供 /v1 JSON 接口,并在 / 提供窗口工作人员页面(OpenAPI 在 /v1/docs)。',
    # tongcheng serve --host TEXT
    'Address to listen on.':
        '监听的地址。',
    # tongcheng serve --port INTEGER RANGE
    'Port to listen on.':
        '监听的端口。',
    # tongcheng serve --workers INTEGER RANGE
    'Worker processes (each holds its own copy of the compiled pack; one per core: '
    '--workers 2 on a two-core machine).':
        '工作进程数(每个进程持有一份编译后的规则包;每个核一个:双核机器用 --workers 2)。',
    # tongcheng serve --reuse-port / --shared-socket
    'With several workers on Linux: each worker listens on a socket of its own '
    '(SO_REUSEPORT) and the kernel spreads connections evenly; --shared-socket lets '
    'whichever worker wakes first take every waiting connection.':
        'Linux 上有多个工作进程时:每个工作进程监听自己的套接字(SO_REUSEPORT),'
        '由内核均匀分配连接;--shared-socket 则让最先醒来的工作进程接走所有等待的连接。',
    # tongcheng serve --loop [asyncio|uvloop|auto]
    'The event loop: asyncio answers the connections it holds in turn; uvloop (auto, '
    'when installed) left some waiting ten times the median under load.':
        '事件循环:asyncio 轮流应答其持有的连接;uvloop(auto,'
        '已安装时)在负载下曾让一些连接等待中位数的十倍。',
    # tongcheng serve --log-level [critical|error|warning|info|debug]
    'The least severe log lines written.':
        '写出的日志行的最低级别。',
    # tongcheng serve --access-log / --no-access-log
    'Log one JSON line per request, with its id (costs CPU on every answer).':
        '每个请求记一行 JSON 日志,含请求编号(每次应答都耗费 CPU)。',
    # tongcheng serve --log-format [json|text]
    'Log lines as JSON objects (with the request id) or as plain text.':
        '日志行格式:JSON 对象(含请求编号)或纯文本。',
    # tongcheng serve --cors-origin URL
    'An origin whose pages may call the API from a browser (e.g. '
    'https://portal.example.cn); repeat for more. None by default.':
        '允许其页面从浏览器调用接口的来源(例如 https://portal.example.cn);'
        '重复给出可允许多个。默认没有。',
    # tongcheng serve --head-timeout FLOAT RANGE
    'Seconds a client has to send its request line and headers.':
        '客户端发送请求行和请求头的时限(秒)。',
    # tongcheng serve --body-timeout FLOAT RANGE
    'Seconds a client has to send a request body.':
        '客户端发送请求正文的时限(秒)。',
    # tongcheng serve --records URL
    'Record every decision in this store (a file for SQLite, postgresql://… for '
    'several workers); GET /v1/records/{id} needs $TONGCHENG_RECORDS_TOKEN.':
        '把每项判定记入此记录库(SQLite 用一个文件,多个工作进程用 postgresql://…);GET '
        '/v1/records/{id} 需要 $TONGCHENG_RECORDS_TOKEN。',
    # tongcheng serve --actor-header NAME
    'With --records: the request header naming the caseworker (e.g. X-Caseworker).':
        '与 --records 同用:指明窗口工作人员的请求头(例如 X-Caseworker)。',
    # tongcheng serve --lang [zh|en]
    "Language of the command's own errors (a pack that fails to load, a port in use); "
    'each answer speaks the language its request asks for.':
        '本命令自身错误的语言(规则包加载失败、端口被占用);每个应答使用其请求所要求的语言。',
    # tongcheng synth
    'Write N synthetic residents of Shandong (weighted toward the Qingdao metro area).':
        '写出 N 个山东的合成居民(偏重青岛都市圈)。',
    # tongcheng synth -o, --output PATH
    'Parquet file to write.':
        '要写入的 Parquet 文件。',
    # tongcheng synth --seed INTEGER
    'Same seed, same persons.':
        '种子相同,生成的人相同。',
    # tongcheng synth --as-of TEXT
    'The date the population is described at.':
        '描述人群所用的日期。',
    # tongcheng synth --retiring YEAR
    'Instead: residents of the Qingdao metro area reaching retirement age in YEAR, '
    'described at its last day (careers of employee medical insurance across cities, '
    'deemed years before 1996).':
        '改为:青岛都市圈中在 年份 达到退休年龄的居民,'
        '按该年最后一天描述(跨城的职工医疗保险缴费经历,含 1996 年以前的视同缴费年限)。',
    # tongcheng synth --lang [zh|en]
    'Language of the messages.':
        '消息的语言。',
    # tongcheng test
    'Run the YAML test cases of a rule pack (default: PACK/tests/*.yaml).':
        '运行规则包的 YAML 测试用例(默认:规则包/tests/*.yaml)。',
    # tongcheng test --pack DIRECTORY
    'Rule-pack folder (default: the pack the PATHS lie in, else the bundled pack).':
        '规则包文件夹(默认:路径 所在的规则包,否则为内置规则包)。',
    # tongcheng test --junit-xml FILE
    'Also write the results as JUnit XML to this file (for CI).':
        '另外把结果以 JUnit XML 写入此文件(供 CI 使用)。',
    # tongcheng test -k TEXT
    'Only the cases whose name contains this text.':
        '只运行名称含有此文本的用例。',
    # tongcheng test -v, --verbose
    'Also list the cases that pass.':
        '也列出通过的用例。',
    # tongcheng test --lang [zh|en]
    'Language of the report and the traces.':
        '报告和推理过程的语言。',
    # tongcheng timeline
    'Decide every rule for SITUATION at the end of each month from --from to '
    '--to.\n\nAn open period keeps running, so the timeline also shows when a person '
    'who keeps paying\nreaches a minimum. Lists, per rule, the stretches of months '
    'with one status and the days\na decision changes, with why: a zone opened, a '
    'parameter changed, a month count reached a\nbound, a birthday, a period started '
    'or ended. SITUATION is JSON or YAML (- for stdin).':
        '在 --from 到 --to 的每个月末,对 情形 判定每一条规则。\n\n未结束的缴费期会一直延续,'
        '因此时间线也显示一个持续缴费的人何时达到最低年限。按规则列出状态不变的各段月份,'
        '以及判定发生变化的日子和原因:区域开始实施、参数变更、月数达到界限、生日、某段时期'
        '开始或结束。情形 为 JSON 或 YAML(- 表示标准输入)。',
    # tongcheng timeline --from YYYY-MM
    'First month of the window.':
        '时间窗口的第一个月。',
    # tongcheng timeline --to YYYY-MM
    'Last month of the window.':
        '时间窗口的最后一个月。',
    # tongcheng verify
    'Check that the rule pack in PACK or --pack (default: the bundled one) is '
    'consistent.\n\nSearches generated situations for counterexamples to each '
    'property: no contradictions,\ndeterminism, order independence, information '
    'monotonicity and completeness, symmetric\nmutual recognition, dates, and the '
    'monotonic outcomes rules declare. A failure prints the\nshrunk counterexample as '
    'a situation file to run with `tongcheng check`.':
        '检查 规则包 或 --pack 中的规则包(默认:内置规则包)是否一致。'
        '\n\n在生成的情形中为每项性质寻找反例:无矛盾、确定性、与顺序无关、信息单调性和完备'
        '性、互认对称、日期,以及规则声明的单调结果。失败时把缩减后的反例打印为情形文件,'
        '可用 `tongcheng check` 运行。',
    # tongcheng verify -n, --examples INTEGER RANGE
    'Situations generated per property.':
        '每项性质生成的情形数。',
    # tongcheng verify --seed INTEGER
    'Seed of the search (the same seed explores the same situations).':
        '搜索的种子(种子相同,探索的情形相同)。',
    # tongcheng verify --property NAME
    'Only this property (repeatable).':
        '只检验这项性质(可重复)。',
    # tongcheng verify --save DIRECTORY
    'Write each counterexample to this folder as a situation file.':
        '把每个反例作为情形文件写到此文件夹。',
    # tongcheng verify --shrink-seconds FLOAT RANGE
    'Time spent shrinking a counterexample to a small one.':
        '把反例缩减为小例子所用的时间(秒)。',
    # tongcheng verify --lang [zh|en]
    'Language of the report, the failures and the errors.':
        '报告、失败和错误的语言。',
    # tongcheng watch
    'Follow many cases from the JSON Lines event stream EVENTS (a file, or - for '
    'stdin).\n\nOne JSON object a line, one case per subject:\n\n\x08\n  {"subject": '
    '"P1", "on": "2025-05-06", "open": {...situation facts...}}\n  {"subject": "P1", '
    '"on": "2025-06-03", "event": {"type": "move", "to": "371000"}}\n  {"subject": '
    '"P1", "on": "2025-07-01", "facts": {"person": {"sex": "male"}}}\n  {"subject": '
    '"P1", "advance_to": "2025-10-22"}      (one case\'s clock)\n  {"advance_to": '
    '"2025-10-22"}                        (every open case\'s clock)\n  {"subject": '
    '"P1", "close": true}\n\n"on" is the day the line speaks of (an event may carry '
    "its own instead); facts merge into\nthe case's; a case's clock never goes back. "
    'Blank lines are skipped.\n\nWrites one JSON object a line: notifications ("type": '
    '"notification": trigger, rule,\nservice, message, outcome, basis, deadline), '
    'deadline alerts ("type": "alert"), with\n--changes the changed decisions ("type": '
    '"change"), and cases dropped as idle\n("type": "dropped"); each names the input '
    'line, the subject and the case.\n\nA line that cannot be applied (bad JSON, an '
    'unknown subject, invalid facts, an unknown\nevent type, ...) is reported with its '
    'line number and skipped; the others are kept.\nExit 0 when every line was applied,'
    ' 1 when some were rejected, 2 for a bad command,\n3 for a rule pack (or triggers '
    'file) that fails to load or a rule conflict.':
        '从 JSON Lines 事件流 事件流(一个文件,或 - 表示标准输入)跟踪多个案件。\n\n每行一个 '
        'JSON 对象,每个对象(subject)一个案件:\n\n\x08\n  {"subject": "P1", "on": '
        '"2025-05-06", "open": {...情形的事实...}}\n  {"subject": "P1", "on": "2025-06-03",'
        ' "event": {"type": "move", "to": "371000"}}\n  {"subject": "P1", "on": '
        '"2025-07-01", "facts": {"person": {"sex": "male"}}}\n  {"subject": "P1", '
        '"advance_to": "2025-10-22"}      (一个案件的时钟)\n  {"advance_to": "2025-10-22"} '
        '                       (每个未结案件的时钟)\n  {"subject": "P1", "close": '
        'true}\n\n"on" 是该行所说的日子(事件也可以自带日子);事实并入案件的事实;'
        '案件的时钟从不后退。空行跳过。\n\n每行写一个 JSON 对象:通知("type": '
        '"notification":触发条件、规则、服务、消息、结果、依据、期限)、期限提醒("type": '
        '"alert")、使用 --changes 时变化了的判定("type": "change"),'
        '以及因闲置而撤下的案件("type": "dropped");每个对象都指出输入行、对象和案件。'
        '\n\n无法应用的行(JSON 有误、未知的对象、无效的事实、未知的事件类型……)连同行号报告'
        '后跳过;其他行照常处理。每行都已应用时退出码为 0,有行被拒收时为 1,命令有误时为 2,'
        '规则包(或触发条件文件)加载失败或规则冲突时为 3。',
    # tongcheng watch -o, --output PATH
    'Where the notifications go, as JSON Lines (default: stdout).':
        '通知写到哪里,格式为 JSON Lines(默认:标准输出)。',
    # tongcheng watch --rejects PATH
    'Write rejected lines here as JSON Lines (line, reason, subject) instead of stderr.':
        '把被拒收的行以 JSON Lines(行、理由、对象)写到这里,而不是标准错误输出。',
    # tongcheng watch --changes
    'Also write every changed decision.':
        '也写出每项变化了的判定。',
    # tongcheng watch --idle-days N
    'Drop a case whose last step is more than N days before the latest day the stream '
    "has reached (by the stream's dates).":
        '撤下最后一步早于事件流已到达的最晚日期 N 天以上的案件(按事件流中的日期)。',
    # tongcheng watch --triggers FILE
    "Triggers file (default: the pack's triggers.yaml).":
        '触发条件文件(默认:规则包的 triggers.yaml)。',
    # tongcheng watch --progress N
    'Every N lines, one JSON line of counts and memory on stderr.':
        '每 N 行在标准错误输出写一行计数和内存用量的 JSON。',
    # tongcheng watch --lang [zh|en]
    'Language of services and messages.':
        '服务和消息的语言。',
    # tongcheng watch --store URL
    "Keep the cases and the stream's position in this store (a file for SQLite, or "
    'postgresql://…): restarted on the same input, the watch goes on from the last '
    'committed line, each notification written once.':
        '把案件和事件流的位置保存在此记录库中(SQLite 用一个文件,或 '
        'postgresql://…):在同一输入上重启后,watch 从最后提交的一行继续,每条通知只写一次。',
    # tongcheng watch --stream TEXT
    "With --store: the stream's name (several streams may share a store).":
        '与 --store 同用:事件流的名称(多个事件流可以共用一个记录库)。',
    # tongcheng watch --commit-every N
    'With --store: commit every N lines (default 200; 1 when reading stdin).':
        '与 --store 同用:每 N 行提交一次(默认 200;读标准输入时为 1)。',
}
