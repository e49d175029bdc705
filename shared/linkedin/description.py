"""Job description markup -> clean text (one paragraph or list item per line) and safe HTML.

One walk over the description subtree produces both, so the page is not re-parsed.
"""

from __future__ import annotations

import re
from html import escape

from selectolax.lexbor import LexborNode

# Tags kept in the sanitised HTML; everything else is unwrapped (its text kept).
SAFE_TAGS = frozenset(
    {
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "blockquote",
        "pre",
        "code",
    }
)
# Tags dropped together with their content.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "form",
        "button",
        "input",
        "textarea",
        "select",
        "head",
        "title",
        "meta",
        "link",
        "img",
        "video",
        "audio",
        "canvas",
    }
)
# Tags that start a new line in the text rendering.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "header",
        "footer",
        "dl",
        "dt",
        "dd",
    }
)
_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


def _inline(raw: str) -> str:
    """Whitespace runs -> one space, keeping a space at either end (str.split is C-fast)."""
    words = raw.split()
    if not words:
        return " " if raw else ""
    out = " ".join(words)
    if raw[0].isspace():
        out = " " + out
    if raw[-1].isspace():
        out += " "
    return out


class _Renderer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self.html: list[str] = []
        self.bullet = False  # the next text line is a list item

    def flush(self, keep_empty: bool = False) -> None:
        text = " ".join("".join(self.line).split())
        if text and self.bullet:
            text, self.bullet = "- " + text, False
        if text or keep_empty:
            self.lines.append(text)
        self.line = []

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                raw = child.text_content or ""
                self.line.append(raw)
                self.html.append(escape(_inline(raw), quote=False))
                continue
            if tag is None or tag.startswith("-") or tag in DROP_TAGS:
                continue  # comments, doctype, scripts
            if tag == "br":
                # <br><br> is LinkedIn's paragraph break: the second one leaves a blank line.
                self.flush(keep_empty=not self.line or not "".join(self.line).strip())
                self.html.append("<br>")
                continue
            block = tag in BLOCK_TAGS
            if block:
                self.flush()
            if tag == "li":
                self.bullet = True
            self._open(child, tag)
            self.walk(child)
            self._close(tag, child)
            if block:
                self.flush()
            if tag == "li":
                self.bullet = False

    def _open(self, node: LexborNode, tag: str) -> None:
        if tag == "a":
            href = (node.attributes.get("href") or "").strip()
            if _SAFE_HREF.match(href):
                self.html.append(f'<a href="{escape(href, quote=True)}">')
        elif tag in SAFE_TAGS:
            self.html.append(f"<{tag}>")

    def _close(self, tag: str, node: LexborNode) -> None:
        if tag == "a":
            if _SAFE_HREF.match((node.attributes.get("href") or "").strip()):
                self.html.append("</a>")
        elif tag in SAFE_TAGS:
            self.html.append(f"</{tag}>")

    def text(self) -> str:
        self.flush()
        out: list[str] = []
        for line in self.lines:
            if line == "" and (not out or out[-1] == ""):
                continue  # at most one blank line, none at the start
            out.append(line)
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out)


def render_description(node: LexborNode) -> tuple[str | None, str | None]:
    """(clean text, sanitised HTML) of a description element."""
    renderer = _Renderer()
    renderer.walk(node)
    text = renderer.text()
    html = "".join(renderer.html).strip()
    return (text or None), (html or None)
