"""Reading scenario files: TOML parsed with ``tomllib`` — nothing is unpickled or evaluated."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: str | Path, what: str = "scenario file") -> dict[str, Any]:
    """The file's tables, or one clear ``ValueError`` (missing file, invalid TOML)."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{what} {path} is not valid TOML: {err}") from None
