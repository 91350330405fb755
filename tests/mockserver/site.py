"""Pages and traps of the hostile test site (see tests/mockserver/__main__.py).

Every page is built from the Host header, so the same site answers on 127.0.0.1, 127.0.0.2 and
127.0.0.3 (one port): a request that reaches .2 or .3 is a request the patrol should not have
made, and the request log shows it. Links to other addresses are loopback only.
"""

from __future__ import annotations

import gzip
import zlib

import brotli

BOMB_SIZE = 64 * 1024 * 1024   # decompressed size of the bombs (the test limit is 1 MiB)
BIG_SIZE = 3 * 1024 * 1024     # bodies over the test limit
OPERATOR = "清远测试投资管理有限公司"


def _html(title: str, body: str, charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return (f"<!doctype html><html><head>{meta}<title>{title}</title></head><body>{body}"
            f'<div class="footer">版权所有 © {OPERATOR} 粤ICP备00000000号</div></body></html>')


class Bombs:
    """Compressed once at start-up: a few KB on the wire, 64 MiB when inflated."""

    def __init__(self) -> None:
        zeros = b"<html>" + b"\0" * BOMB_SIZE
        self.gzip = gzip.compress(zeros, compresslevel=9)
        self.deflate = zlib.compress(zeros, 9)
        self.br = brotli.compress(zeros, quality=5)
        self.sitemap = gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * BOMB_SIZE,
                                     compresslevel=9)


def index(port: int) -> str:
    other = f"http://127.0.0.2:{port}"
    links = [
        "/utf8.html", "/gbk-nodecl.html", "/gbk-meta.html", "/big5.html", "/wrong-header.html",
        "/big.html", "/big-chunked.html", "/bomb-gzip.html", "/bomb-deflate.html",
        "/bomb-br.html", "/loop/a", "/loop-n?i=0", "/slow.html", "/trickle.html",
        "/calendar?month=2000-01", "/session.html?PHPSESSID=aaa111", "/to-other",
        "/to-file", "/to-data", "/to-private", "/download.zip", "/app.apk", "/image.png",
        "/js/app.html", "/js/timer.html", "/js/ssrf.html", "/js/download.html",
        "/furniture.html", "/frame-host.html", "/next1.html", "/changing.html",
        "/attachment.html", "/gzipped.html", "/hop/1",
        f"{other}/other-host.html", f"http://127.0.0.3:{port}/third-host.html",
        f"http://2130706434:{port}/decimal.html", f"http://0177.0.0.3:{port}/octal.html",
        f"http://localhost:{port}/localhost.html", f"http://127.0.0.1:{port + 1}/other-port.html",
        f"http://[::ffff:127.0.0.2]:{port}/mapped.html",
        "file:///etc/passwd", "data:text/html,<b>x</b>", "ftp://127.0.0.1/x",
        "http://example.invalid/nowhere.html",
    ]
    items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return _html("测试站首页", f"<h1>测试理财平台</h1><ul>{items}</ul>")


PAGES_UTF8 = {
    "/utf8.html": ("UTF-8 页面", "<p>本平台承诺保本保息，年化收益18%。</p>"),
    "/hop-final.html": ("跳转终点", "<p>跳转后的落地页：本金保障，保本保息。</p>"),
    "/furniture.html": ("页脚", "<p>关于我们</p><div class='banner'>注册送888元现金红包</div>"),
    "/frame-host.html": ("框架", '<iframe src="/framed.html"></iframe>'),
    "/framed.html": ("框架内页", "<p>专业股票配资，1:10杠杆，按天配资。</p>"),
    "/next1.html": ("第一页", '<p>列表第一页</p><link rel="next" href="/next2.html">'),
    "/next2.html": ("第二页", "<p>个人POS机免费办理，一清机代收代付。</p>"),
    "/hidden/sitemap-only.html": ("隐藏页", "<p>首付贷，首付分期，零首付轻松买房。</p>"),
    "/private/disallowed.html": ("禁止页", "<p>内部认购原始股，发展下线拿返利。</p>"),
    "/other-host.html": ("别的主机", "<p>不应被抓取</p>"),
}

GBK_TEXT = "<p>稳赚不赔，零风险投资，月息2分。</p>"
BIG5_TEXT = "<p>穩賺不賠，零風險，首付貸輕鬆買房，網貸平台。</p>" * 3

JS_APP = """<div id="app"></div>
<script>
fetch('/api/products.json').then(r => r.json()).then(d => {
  document.getElementById('app').innerHTML = '<p>' + d.offer + '</p>';
});
</script>"""
JS_TIMER = """<div id="box">加载中</div>
<script>setTimeout(function () {
  document.getElementById('box').textContent = '新手标加息8%，体验金5888元，投资返现。';
}, 1500);</script>"""


def js_ssrf(port: int) -> str:
    return f"""<div id="out">页面</div>
<img src="http://127.0.0.3:{port}/pixel-from-browser.png">
<script>
fetch('http://127.0.0.2:{port}/secret-from-browser').catch(() => {{}});
fetch('/redirect-to-private-from-browser').catch(() => {{}});
fetch('http://localhost:{port}/localhost-from-browser').catch(() => {{}});
document.getElementById('out').textContent = '保本保息的理财产品，固定收益。';
</script>"""


JS_DOWNLOAD = """<p id="t">下载我们的APP</p>
<script>
const a = document.createElement('a');
a.href = '/download.zip'; a.download = 'app.zip';
document.body.appendChild(a); a.click();
document.getElementById('t').textContent = '下载APP领取体验金';
</script>
<script src="/late.js"></script>"""
# /late.js answers after LATE_SECONDS: the page's load event comes well after the download it
# started was refused, which is the order in which a refused download used to fail the render.
LATE_SECONDS = 1.0


def calendar(month: str) -> str:
    """Each month links to 30 other months: an endless URL space."""
    year, mon = (int(x) for x in month.split("-"))
    links = []
    for step in range(1, 31):
        m = (year * 12 + mon - 1 + step)
        links.append(f'<a href="/calendar?month={m // 12:04d}-{m % 12 + 1:02d}">{step}</a>')
    return _html(f"日历 {month}", "<p>活动日历</p>" + " ".join(links))


def session_page(sid: str) -> str:
    import secrets

    new = secrets.token_hex(6)
    return _html("会话", f'<p>会话 {sid}</p><a href="/session.html?PHPSESSID={new}">再来</a>'
                 f'<a href="/session.html;jsessionid={new}?PHPSESSID={new}">Java</a>'
                 f'<a href="/session.html?sid={new}&amp;utm_source=x">sid</a>')


def changing(variant: int) -> str:
    body = "<p>年化收益20%，保本保息。</p>" if variant == 1 else "<p>本平台已停止运营。</p>"
    return _html("会变的页面", body)


# -- evasions (issue 16): pages that hide their offer from a naive patrol ---------------------
OFFER = "保本保息，年化收益20%，稳赚不赔，零风险"


def _refresh(content: str) -> str:
    return f'<meta http-equiv="refresh" content="{content}">'


def evasions(port: int) -> dict[str, tuple[str, str, str]]:
    """path -> (title, extra <head> markup, body) of the evasion pages under /evasions/."""
    other = f"http://127.0.0.2:{port}/"
    return {
        # the issue's exact case: an offer, and a refresh to another host after a minute
        "/evasions/refresh-offsite.html": ("跳转站外", _refresh(f"60;url={other}"),
                                           f"<p>{OFFER}</p>"),
        "/evasions/plain.html": ("无跳转", "", f"<p>{OFFER}</p>"),
        "/evasions/refresh-delayed.html": ("延时跳转", _refresh("60;url=/evasions/clean.html"),
                                           f"<p>{OFFER}</p>"),
        "/evasions/refresh-zero.html": ("立即跳转", _refresh("0; URL='/evasions/zero-target.html'"),
                                        f"<p>{OFFER}</p>"),
        "/evasions/refresh-noscript.html": (
            "noscript 跳转", f"<noscript>{_refresh('0;url=/evasions/noscript-target.html')}"
                            "</noscript>", f"<p>{OFFER}</p>"),
        # refreshes to addresses no patrol may reach (loopback hosts other than the target)
        "/evasions/refresh-private.html": (
            "跳转内网", _refresh(f"0;url=http://127.0.0.3:{port}/secret-after-refresh") +
            f"<noscript>{_refresh(f'1;url=http://localhost:{port}/localhost-after-refresh')}"
            "</noscript>", f"<p>{OFFER}</p>"),
        "/evasions/clean.html": ("正常页", "", "<p>公司简介与联系方式。</p>"),
        "/evasions/zero-target.html": ("跳转目标", "", "<p>零首付轻松买房，首付贷。</p>"),
        "/evasions/noscript-target.html": ("跳转目标", "", "<p>专业股票配资，1:10杠杆。</p>"),
        # scattered and hidden text
        "/evasions/scattered.html": (
            "拆字", "", "<p><span>保</span>\n<span>本</span>\n<b>保</b><i>息</i>，"
                       "<span>稳</span> <span>赚</span> <span>不</span> <span>赔</span></p>"),
        "/evasions/attributes.html": (
            "属性", '<meta name="description" content="首付贷，零首付轻松买房">'
                    '<meta property="og:title" content="个人POS机免费办理，一清机">',
            '<p>欢迎</p><a href="/evasions/clean.html" title="稳赚不赔，零风险投资">详情</a>'
            '<button aria-label="内部认购原始股">购买</button>'
            '<noscript><p>专业股票配资，1:10杠杆，按天配资。</p></noscript>'),
        "/evasions/confusables.html": (
            "形近字", "", "<p>⼈⼈贷：⽆⻛险投资，本⾦保障，Р2Р网贷，𝟏𝟎𝟎%兑付</p>"),
        # rendered: text written by a timer, then the page leaves for another one
        "/evasions/leaves.html": (
            "离开", "", '<div id="x">加载中</div><script>'
                        "setTimeout(function () { document.getElementById('x').textContent ="
                        " '新手标加息8%，体验金5888元，投资返现。'; }, 300);"
                        "setTimeout(function () { location.href = '/evasions/left-to.html'; },"
                        " 900);</script>"),
        "/evasions/left-to.html": ("离开后", "", "<p>页面已迁移。</p>"),
        # a script that leaves after a minute: no render waits that long
        "/evasions/js-later.html": (
            "稍后跳转", "", f"<p>{OFFER}</p><script>setTimeout(function () {{"
                           " window.location.href = '/evasions/js-target.html'; }, 60000);"
                           "</script>"),
        "/evasions/js-target.html": ("脚本跳转目标", "", "<p>内部认购原始股，发展下线。</p>"),
        # host names that resolve to loopback addresses (the test's crawl_resolve answers)
        "/evasions/names.html": (
            "域名", _refresh(f"0;url=http://evil.test:{port}/evil-refresh.html"),
            f'<a href="http://evil.test:{port}/evil-name.html">a</a>'
            f'<a href="http://multi.test:{port}/multi-name.html">b</a>'
            f'<a href="http://good.test:{port}/good-name.html">c</a>'
            f'<img src="http://evil.test:{port}/images/poster.png">'),
        # offers only in pictures
        "/evasions/poster.html": ("海报", "", '<p>欢迎访问</p><div class="banner">'
                                              '<img src="/images/poster.png"></div>'),
        "/evasions/poster-again.html": ("海报再现", "", '<p>关于我们</p>'
                                                    '<img src="/images/poster.png">'),
        "/evasions/lazy-poster.html": ("懒加载", "", '<p>房产</p><img src="/images/pixel.gif" '
                                                  'data-src="/images/poster-lazy.png">'),
        "/evasions/picture.html": (
            "图片元素", "", '<p>行情</p><picture><source srcset="/images/pixel.gif 1x, '
                           '/images/poster-picture.png 2x"><img src="/images/pixel.gif"></picture>'
                           '<svg width="480" height="240"><image href="/images/poster-svg.png" '
                           'width="480" height="240"/></svg>'),
        "/evasions/background.html": (
            "背景图", "<style>.hero{width:600px;height:300px;"
                     "background-image:url(/images/poster-bg.png)}</style>",
            '<p>首页</p><div class="hero"></div>'),
        "/evasions/bad-images.html": (
            "坏图片", "", "<p>图片</p>" + "".join(
                f'<img src="/images/{name}">' for name in (
                    "huge.png", "truncated.jpg", "bomb.svg", "fake.png", "never.png",
                    "pixel.gif"))),
        "/evasions/pseudo.html": (
            "伪元素", "<style>.a::before{content:'稳赚不赔，'}.a::after{content:'零风险投资'}"
                     "</style>", '<p class="a">——</p><script>void 0;</script>'),
    }


def evasions_index(port: int) -> str:
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in evasions(port)
                    if "target" not in p and p not in ("/evasions/clean.html",
                                                        "/evasions/left-to.html"))
    return _html("规避手段", f"<ul>{links}</ul>")


# -- browser faults: script-built pages to render while the browser is killed, and a page whose
# script never yields (the renderer stops answering) ----------------------------------------
CRASH_PAGES = 16


def crash_page(n: int) -> str:
    return _html(f"脚本页 {n}", '<div id="box">加载中</div><script>setTimeout(function () {'
                 f"document.getElementById('box').textContent = '第{n}期年化收益20%，保本保息';"
                 "}, 1200);</script>")


HANG_PAGE = _html("卡死", "<p>本页脚本卡死浏览器</p><script>setTimeout(function () {"
                  " for (;;) {} }, 50);</script>")


def crash_index() -> str:
    links = "".join(f'<a href="/crash/{n}.html">{n}</a>' for n in range(CRASH_PAGES))
    return _html("脚本页列表", f'{links}<a href="/crash/hang.html">hang</a>')


# -- OCR order: a poster on the first page, ahead of the pages that page links to -------------
ORDER_PAGES = 12


def ocr_order_index() -> str:
    links = "".join(f'<a href="/ocr-order/{n}.html">第{n}页</a>' for n in range(ORDER_PAGES))
    return _html("海报与列表", '<div class="banner"><img src="/images/poster-order.png"></div>'
                 f"{links}")


def ocr_order_page(n: int) -> str:
    return _html(f"新闻 {n}", f"<p>第{n}页：公司新闻与通知。</p>")
