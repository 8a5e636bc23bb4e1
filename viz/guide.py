"""The app's guide for the class: the README's "In plain words" and "A 90-minute class"
sections, read from the README next to the package (one text for the README and the app)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("In plain words", "A 90-minute class")


@functools.cache
def guide_markdown(path: Path = README) -> str:
    """The sections of :data:`SECTIONS` as Markdown (headings one level down), or a pointer to
    the README when it is not beside the package (an installed wheel)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return "The guide for the class is in Pacts' README: *In plain words*, *A 90-minute class*."
    parts = []
    for title in SECTIONS:
        match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        if match:
            parts.append(f"### {title}\n{match.group(1).strip()}\n")
    return "\n".join(parts)
