"""Does a page need a browser? (`render: auto`)

Rendering costs a hundred times a plain fetch, so only pages whose static HTML does not carry
their text are rendered: little visible text next to scripts, an empty application container
(<div id="app"></div>), or inline scripts that fetch data or write into the DOM.
"""

from __future__ import annotations

import re

from .extract import PageContent

MIN_TEXT_CHARS = 200
_EMPTY_APP = re.compile(
    r"<(?:div|main|section)\b[^>]*\bid\s*=\s*[\"']?(?:app|root|__next|__nuxt|main-app|"
    r"application|vue-app|react-root)[\"']?[^>]*>\s*</(?:div|main|section)>",
    re.I)
_FRAMEWORK = re.compile(r"\b(?:ng-app|data-reactroot|v-cloak|x-data)\b", re.I)
_FETCHES = re.compile(r"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\s*\(|"
                      r"\baxios\b|\bsetTimeout\s*\(|\bsetInterval\s*\(")
_WRITES = re.compile(r"\.innerHTML\s*[+]?=|\.innerText\s*[+]?=|\.textContent\s*[+]?=|"
                     r"document\.write\s*\(|insertAdjacentHTML|appendChild\s*\(|"
                     r"\.(?:html|append|prepend|text)\s*\(|createElement\s*\(")


def render_reason(html_text: str, content: PageContent) -> str | None:
    """Why the page should be rendered (little_text, empty_app, script_filled), or None."""
    scripts = content.inline_scripts
    has_scripts = bool(scripts) or content.external_scripts > 0
    if _EMPTY_APP.search(html_text) or (_FRAMEWORK.search(html_text) and has_scripts):
        return "empty_app"
    if has_scripts and content.visible_chars < MIN_TEXT_CHARS:
        return "little_text"
    for script in scripts:
        if _WRITES.search(script) and (_FETCHES.search(script) or "document.write" in script
                                       or "getElementById" in script or "querySelector" in script):
            return "script_filled"
    return None
