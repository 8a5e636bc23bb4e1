"""Reading a rendered Solara widget tree in tests: every string in it, or its plain-text children
apart from what is rendered as raw HTML (to check that user data is never raw HTML)."""

from __future__ import annotations

import html


def texts(widget) -> list[str]:
    """Every string child in a rendered widget tree (raw HTML unescaped)."""
    out: list[str] = []

    def walk(w):
        if isinstance(w, str):
            out.append(w)
            return
        for c in getattr(w, "children", None) or []:
            walk(c)
        for attr in ("value", "unsafe_innerHTML"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                out.append(html.unescape(value))

    walk(widget)
    return out


def plain_and_raw(widget) -> tuple[list[str], list[str]]:
    """(the plain-text children, the raw-HTML strings) of a rendered widget tree."""
    text: list[str] = []
    raw: list[str] = []

    def walk(w):
        for c in getattr(w, "children", None) or []:
            if isinstance(c, str):
                text.append(c)
            else:
                walk(c)
        if isinstance(getattr(w, "unsafe_innerHTML", None), str):
            raw.append(w.unsafe_innerHTML)

    walk(widget)
    return text, raw
