"""Every setting of the patrol, declared once, with its default and help text.

This is the one place a setting exists (in the spirit of Scrapy's default_settings.py and
Datasette's settings list). Layers on top, lowest first: these defaults, `config/settings.yaml`
shipped with the project, a site file (`--config FILE` or PATROL_CONFIG), environment variables
PATROL_<NAME>, command-line options. `docs/settings.md` is generated from this list by
`patrol config docs`; a test fails when the two disagree.

Relative paths are resolved against the home directory: the checkout when run from a source
checkout (so a scheduler subprocess started from another directory sees the same files), else
the current directory of an installed `patrol`. The defaults of the configuration-file settings
marked `shipped` are the files shipped inside the package (`config/`).
"""

from __future__ import annotations

from .spec import Setting

S = Setting

SETTINGS: list[Setting] = [
    # -- general -------------------------------------------------------------------------------
    S("data_dir", "var", "path",
      "Directory for everything the program writes: the SQLite store, evidence files, "
      "screenshots, logs and the scheduler's job store. Nothing is written elsewhere by default. "
      "A relative path is resolved against the checkout when run from a source checkout "
      "(`./var` of the checkout), otherwise against the current directory."),
    S("log_level", "INFO", "choice", "Logging level of the patrol's own loggers.",
      choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    S("time_zone", "Asia/Shanghai", "str",
      "IANA time zone of every time people see and of every day and week that is counted: "
      "report and chart days, dates typed in the console, alert messages and quiet hours, "
      "listings on the command line, and the scheduler's default zone. Times are stored in UTC."),
    S("console_base_url", "http://127.0.0.1:8600", "url",
      "Address at which officers open the console; alerts link to findings under it."),
    # -- analyzers -----------------------------------------------------------------------------
    S("rules_file", "config/rules.yaml", "path",
      "YAML file of rules: per rule id its lexicon, patterns, context words, clause, lead "
      "department and severity.", section="analyzers", shipped=True),
    S("licensed_file", "config/licensed.txt", "path",
      "Exact names of licensed institutions, one per line; they are exempt from "
      "restricted_name.", section="analyzers", shipped=True),
    S("enabled_rules", [], "rules",
      "Rule ids the analyzers report (ids of rules_file); empty: every rule of rules_file. "
      "List the rules to keep to silence the others.", section="analyzers"),
    S("rate_high_threshold", 10.0, "float",
      "Annual rate (percent) at or above which an advertised return is a high-severity "
      "promised_return finding.", section="analyzers"),
    S("rate_warning_threshold", 6.0, "float",
      "Annual rate (percent) from which an advertised return is a medium-severity finding.",
      section="analyzers"),
    S("analyzer_max_text_chars", 1_000_000, "int",
      "Characters of one text (page, post, record) that are analyzed; the rest of a longer "
      "text is skipped with a logged warning, so that a hostile multi-megabyte page cannot "
      "stall a patrol.", section="analyzers"),
    # -- store ---------------------------------------------------------------------------------
    S("store_url", "", "str",
      "Where findings are stored: empty for the embedded SQLite file under data_dir, "
      "sqlite:///PATH for another file (a relative PATH resolves like every relative path), "
      "or http(s)://HOST:PORT for an Elasticsearch or "
      "OpenSearch cluster.", section="store"),
    S("store_index_prefix", "patrol", "str",
      "Prefix of the index names and aliases on a search-engine cluster.", section="store"),
    S("store_username", "", "str", "User name for the search-engine cluster, if it needs one.",
      section="store"),
    S("store_password", "", "str", "Password for the search-engine cluster.", section="store",
      secret=True),
    S("store_verify_certs", True, "bool",
      "Verify the cluster's TLS certificate (turn off only for a test cluster).", section="store"),
    S("store_bulk_size", 500, "int", "Documents per bulk request to the cluster.",
      section="store"),
    # -- crawler -------------------------------------------------------------------------------
    S("targets_file", "config/targets.yaml", "path",
      "YAML file of patrol targets (sites and page groups).", section="crawler", shipped=True),
    S("chromium_path", "", "str",
      "Chromium binary used to render pages; empty finds `chromium` on PATH. Without it, "
      "JavaScript rendering and screenshots are off.", section="crawler"),
    S("crawl_render", "auto", "choice",
      "When to render pages with Chromium: auto (when the static HTML looks script-built), "
      "always, or never.", section="crawler", choices=("auto", "always", "never")),
    S("crawl_max_pages", 500, "int", "Page limit of one patrol run of a target.",
      section="crawler"),
    S("crawl_depth", 3, "int", "Link depth followed from a target's start URLs.",
      section="crawler"),
    S("crawl_max_page_bytes", 10 * 1024 * 1024, "int",
      "Largest page body accepted, in bytes, after decompression; larger pages are skipped "
      "and counted.", section="crawler"),
    S("crawl_page_timeout", 30, "int",
      "Seconds one page may take, from request to last byte (slow and trickling servers).",
      section="crawler"),
    S("crawl_concurrency", 8, "int", "Concurrent requests of one patrol run.", section="crawler"),
    S("crawl_obey_robots", False, "bool",
      "Obey robots.txt Disallow rules. Off by default: a patrol is an official inspection. "
      "Crawl-delay is honoured either way.", section="crawler"),
    S("crawl_user_agent", "Mozilla/5.0 (compatible; FinancePatrol/0.1)", "str",
      "User-Agent header of patrol requests.", section="crawler"),
    S("crawl_max_pages_per_host", 500, "int",
      "Most pages of one patrol run on one host (a trap site cannot eat the whole budget).",
      section="crawler"),
    S("crawl_max_pages_per_pattern", 50, "int",
      "Most pages of one patrol run per URL pattern (path with numbers and ids folded, query "
      "values dropped), which stops endless calendars and ?page=N spaces.", section="crawler"),
    S("crawl_delay", 0.0, "float",
      "Default seconds between two requests to one host (a target's `delay` overrides it; a "
      "robots.txt Crawl-delay that asks for more wins).", section="crawler"),
    S("crawl_render_pages", 4, "int",
      "Browser pages open at once in one patrol run (each costs a Chromium renderer).",
      section="crawler"),
    S("crawl_dom_quiet_ms", 500, "int",
      "After a rendered page loads, milliseconds without DOM changes before its text is read.",
      section="crawler"),
    S("crawl_render_wait", 8, "int",
      "Most seconds to wait for a rendered page's DOM to become quiet after load.",
      section="crawler"),
    S("crawl_screenshots", True, "bool",
      "Take a full-page screenshot as evidence of every page with a high-severity finding.",
      section="crawler"),
    S("redis_url", "", "str",
      "Redis server of the shared patrol frontier (redis://HOST:PORT/DB). Set, `patrol worker` "
      "processes on any number of machines crawl the runs that `patrol crawl --distributed`, the "
      "scheduler and the console's run-now enqueue; empty, every patrol runs in one process.",
      section="crawler"),
    S("worker_lease_seconds", 120, "int",
      "Seconds a request taken by a patrol worker stays its own without a heartbeat; a worker "
      "that died (SIGKILL, power loss) gives its requests back to the frontier after this.",
      section="crawler"),
    S("worker_stall_seconds", 600, "int",
      "A distributed patrol run with work left and no progress for this many seconds (no "
      "worker alive) is marked failed and the technical support team is alerted.",
      section="crawler"),
    S("crawl_resolve", [], "list",
      "Host names answered without DNS, as name=address (like curl --resolve): a site reached "
      "through a known address. The answers are judged by the address policy like any other.",
      section="crawler"),
    S("ocr_enabled", True, "bool",
      "Read the words in a page's images (posters, banners) with OCR and analyze them like "
      "text. Needs rapidocr_onnxruntime; without it the patrol says so once and goes on.",
      section="crawler"),
    S("ocr_min_side", 40, "int",
      "Images whose shorter side (declared or real) is below this many pixels are icons or "
      "tracking pixels and are not read.", section="crawler"),
    S("ocr_max_aspect", 12.0, "float",
      "Images longer than this many times their width (or wider than their height) are "
      "dividers or strips and are not read.", section="crawler"),
    S("ocr_max_repeat", 3, "int",
      "An image used more often than this in one page is layout (bullets, separators) and is "
      "not read.", section="crawler"),
    S("ocr_max_pixels", 16_000_000, "int",
      "Most pixels (width x height, read from the header before decoding) of an image that is "
      "read; larger ones are skipped as decompression bombs.", section="crawler"),
    S("ocr_max_image_bytes", 5 * 1024 * 1024, "int",
      "Largest image download; a bigger one is cancelled.", section="crawler"),
    S("ocr_image_timeout", 20, "int",
      "Seconds one image may take to read before it is skipped (time out).", section="crawler"),
    S("ocr_max_images_per_page", 8, "int",
      "Images read per page at most (ad images first).", section="crawler"),
    S("ocr_max_images_per_run", 400, "int",
      "Images read per patrol run at most; repeated images (same SHA-256) are free.",
      section="crawler"),
    S("ocr_min_background_area", 40_000, "int",
      "In rendered pages, CSS background images of elements at least this large (pixels, "
      "width x height) are read too.", section="crawler"),
    # -- evidence ------------------------------------------------------------------------------
    S("evidence_url", "", "str",
      "Where evidence (WARC files, screenshots) is kept: empty for the directory evidence/ "
      "under data_dir, or s3://BUCKET/PREFIX for S3-compatible object storage shared by "
      "several crawler machines (MinIO, Ceph RGW, a cloud store).", section="evidence"),
    S("evidence_s3_endpoint", "", "str",
      "Endpoint of the S3-compatible storage, e.g. https://minio.example.gov:9000; empty for "
      "the provider's default.", section="evidence"),
    S("evidence_s3_region", "us-east-1", "str", "Region name sent to the S3-compatible storage.",
      section="evidence"),
    S("evidence_s3_access_key", "", "str", "Access key of the S3-compatible storage.",
      section="evidence"),
    S("evidence_s3_secret_key", "", "str", "Secret key of the S3-compatible storage.",
      section="evidence", secret=True),
    S("evidence_capture", "all", "choice",
      "Which fetched pages are kept as WARC captures: all (every page, so a later finding "
      "or dispute can be checked against what the page said), findings (only pages with a "
      "finding), off (none; for measuring the crawler alone).", section="evidence",
      choices=("all", "findings", "off")),
    S("evidence_warc_max_bytes", 1_000_000_000, "int",
      "A run's WARC file is closed and a new one started once it passes this many bytes.",
      section="evidence"),
    S("evidence_tsa_url", "", "url",
      "RFC 3161 time-stamping authority asked to timestamp each exported case package's "
      "manifest; empty: packages carry no timestamp token.", section="evidence"),
    S("evidence_tsa_ca_file", "", "path",
      "PEM file of the certificate authority that `patrol evidence verify` trusts for "
      "timestamp tokens; empty: trust the certificate copied into the package (integrity "
      "only).", section="evidence"),
    S("evidence_retention_days", 365, "int",
      "Days evidence is kept; `patrol evidence prune` removes older files unless an open, "
      "confirmed or forwarded finding or an exported case still needs them. 0 keeps all.",
      section="evidence"),
    # -- alerts --------------------------------------------------------------------------------
    S("departments_file", "config/departments.yaml", "path",
      "YAML file of departments, their channels and the routing of rules to them.",
      section="alerts", shipped=True),
    S("alerts_dry_run", False, "bool",
      "Print alerts instead of sending them.", section="alerts"),
    S("smtp_host", "", "str", "SMTP server for email alerts (empty: email off).",
      section="alerts"),
    S("smtp_port", 25, "int", "SMTP server port.", section="alerts"),
    S("smtp_security", "none", "choice", "SMTP transport security.", section="alerts",
      choices=("none", "starttls", "tls")),
    S("smtp_username", "", "str", "SMTP login user (empty: no login).", section="alerts"),
    S("smtp_password", "", "str", "SMTP login password.", section="alerts", secret=True),
    S("smtp_from", "patrol@localhost", "str", "Sender address of email alerts.",
      section="alerts"),
    S("alerts_digest_minutes", 60, "int",
      "Minutes between digests of non-urgent findings per department.", section="alerts"),
    S("alerts_quiet_hours", "", "str",
      "Hours when only high-severity alerts are sent, e.g. 22:00-07:00 (empty: none). "
      "Nothing is dropped, only delayed.", section="alerts"),
    S("alerts_rate_per_minute", 20, "int",
      "Most messages one channel sends per minute; the rest wait.", section="alerts"),
    S("alerts_max_attempts", 8, "int",
      "Delivery attempts before a temporary failure becomes a dead letter.", section="alerts"),
    S("alerts_backoff_seconds", 30, "int",
      "First retry delay; doubled after each failed attempt.", section="alerts"),
    S("spike_window_minutes", 60, "int",
      "Sliding window in which public_risk posts per platform are counted.", section="alerts"),
    S("spike_factor", 3.0, "float",
      "A platform's window count must reach this multiple of its baseline to raise an alarm.",
      section="alerts"),
    S("spike_min_posts", 5, "int",
      "Fewest posts in the window that can raise an alarm.", section="alerts"),
    S("spike_baseline_windows", 24, "int",
      "A platform's baseline is its average post count per window over this many windows "
      "before the current one (fewer for a platform first seen more recently).",
      section="alerts"),
    S("smtp_ca_file", "", "path",
      "PEM file of the certificate authority that signed the SMTP server's TLS certificate "
      "(empty: the system's trusted authorities).", section="alerts"),
    S("alerts_timeout_seconds", 10, "int",
      "Seconds one step of a delivery (connecting, or one read of an SMTP or HTTP answer) may "
      "wait before the delivery counts as a temporary failure.", section="alerts"),
    S("alerts_send_deadline_seconds", 60, "int",
      "Seconds one delivery may take in all (connect, greeting, sending, answer). Per-read "
      "timeouts restart with every byte, so a receiver that trickles its answer is cut off here "
      "and the alert is retried later. At most 150: a sender's pass must end well within the "
      "sender lock's 600 s, or a second sender could take over and send twice.",
      section="alerts"),
    # -- scheduler -----------------------------------------------------------------------------
    S("schedules_file", "config/schedules.yaml", "path",
      "YAML file of patrol schedules (cron expressions or intervals per target or group).",
      section="scheduler", shipped=True),
    S("patrol_time_limit", 3600, "int",
      "Seconds a scheduled patrol may run before it is stopped and reported.",
      section="scheduler"),
    S("misfire_grace_seconds", 3600, "int",
      "How late a missed patrol may still start after the scheduler comes back.",
      section="scheduler"),
    S("shutdown_grace_seconds", 60, "int",
      "On SIGTERM, seconds running patrols get to finish before they are stopped.",
      section="scheduler"),
    S("digest_cron", "0 * * * *", "cron", "When the alert digest job runs.",
      section="scheduler"),
    S("patrol_kill_grace_seconds", 15, "int",
      "Seconds a patrol that is being stopped (time limit, shutdown) gets after SIGTERM to "
      "write its last records before it is killed.", section="scheduler"),
    S("scheduler_max_patrols", 2, "int",
      "Patrols one scheduler runs at the same time; further due patrols wait for a free slot "
      "(and are skipped if they wait longer than misfire_grace_seconds).",
      section="scheduler"),
    S("patrol_command", "", "str",
      "Command a scheduled patrol runs; empty runs `patrol crawl` with the scheduler's own "
      "configuration. A template split like a shell line, with {python}, {target}, {trigger} "
      "and {data_dir}, e.g. to wrap the crawl in `nice`; it must behave like `patrol crawl "
      "--target` (lock, run record, exit status 75 when locked).",
      section="scheduler"),
    # -- ledger --------------------------------------------------------------------------------
    S("ledger_ban_score", 60, "int",
      "Risk score (0-100) from which the ledger proposes 取缔 for a platform.",
      section="ledger"),
    S("ledger_rectify_score", 25, "int",
      "Risk score from which the ledger proposes 整改 (below it, a patrolled platform is "
      "proposed 合规, unless public-risk posts about it are live: then 待定).", section="ledger"),
    S("ledger_recent_days", 30, "int",
      "Findings last seen within this many days weigh fully in a platform's score; older ones "
      "weigh half, and a quarter after three times as long.", section="ledger"),
    S("ledger_rectify_days", 30, "int",
      "Days a platform classified 整改 gets by default before it is patrolled again and, if "
      "findings remain, its lead department is alerted.", section="ledger"),
    S("ledger_lpr_one_year", 3.0, "float",
      "One-year loan prime rate (LPR, percent) that product returns are compared with; "
      "update it when the central bank publishes a new one.", section="ledger"),
    S("ledger_rate_margin", 3.0, "float",
      "Percentage points above the one-year LPR that still count as an ordinary return; the "
      "return-deviation index measures offered rates above LPR plus this margin.",
      section="ledger"),
    S("ledger_phases", ["摸底排查:2016-06-01:2016-07-31", "清理整顿:2016-08-01:2016-11-05",
                        "督查评估:2016-11-01:2016-11-05", "验收总结:2016-11-06:2016-11-30"], "list",
      "Campaign phases for the phase reports, each NAME:FIRST-DAY:LAST-DAY (China dates). The "
      "defaults are the 2016 plan's own (五); set the current campaign's dates.",
      section="ledger"),
    S("ledger_recheck_cron", "30 8 * * *", "cron",
      "When the scheduler runs `patrol platforms recheck`: platforms classified 整改 whose "
      "deadline passed are patrolled again and, if findings remain, their lead department is "
      "alerted (empty: never; run the command by hand).", section="ledger"),
    S("tips_per_address_hour", 5, "int",
      "Tips (举报) one address may send on the public /tip page per hour; more are refused "
      "with a please-try-later page.", section="ledger"),
    S("tips_per_hour", 300, "int",
      "Tips the public /tip page accepts per hour from everyone together (a flood cannot fill "
      "the officers' queue).", section="ledger"),
    # -- console -------------------------------------------------------------------------------
    S("console_host", "127.0.0.1", "str", "Address the console listens on.", section="console"),
    S("console_port", 8600, "int", "Port the console listens on.", section="console"),
    S("console_secret_key", "", "str",
      "Key that signs console sessions; empty generates one and keeps it under data_dir.",
      section="console", secret=True),
    S("session_minutes", 480, "int", "Minutes a console session lasts without use.",
      section="console"),
    S("session_max_hours", 12, "int",
      "Hours a console session lasts at most, used or not; then the officer logs in again.",
      section="console"),
    S("login_account_failures", 5, "int",
      "Failed logins for one account (from browsers it never logged in from) before each further "
      "try must wait a delay that doubles per failure. A browser the account has logged in from "
      "counts its own failures apart, so a stranger cannot lock an officer out.",
      section="console"),
    S("login_address_failures", 20, "int",
      "Failed logins from one client address, for any account names, before each further try "
      "from it must wait a doubling delay.", section="console"),
    S("login_delay_seconds", 2.0, "float",
      "First delay once a login limit is reached; it doubles with each further failure.",
      section="console"),
    S("login_delay_max_seconds", 900.0, "float", "Longest delay between login tries.",
      section="console"),
    S("console_trusted_proxies", [], "list",
      "Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For header names the "
      "client; requests from anywhere else are taken at their own address.", section="console"),
]

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
if len(BY_NAME) != len(SETTINGS):  # a duplicate name would silently shadow a default
    raise RuntimeError("duplicate setting name in default_settings")
