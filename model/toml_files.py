"""Reading scenario files: TOML parsed with ``tomllib`` — nothing is unpickled or evaluated."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_text(path: str | Path, what: str, kind: str, encoding: str = "utf-8") -> str:
    """A user's text file, or one clear ``ValueError`` naming it (missing, a folder,
    unreadable, not UTF-8). ``what`` names the file ("scenario file"), ``kind`` its format
    ("TOML", "CSV")."""
    path = Path(path)
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise ValueError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{what} {path} is a folder; allowed: a {kind} file") from None
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{what} {path} is not UTF-8 text (byte 0x{err.object[err.start]:02x} at position "
            f"{err.start}); save it as UTF-8 {kind}"
        ) from None
    except OSError as err:
        raise ValueError(f"{what} {path}: cannot read it ({err.strerror})") from None


def read_toml(path: str | Path, what: str = "scenario file") -> dict[str, Any]:
    """The file's tables, or one clear ``ValueError`` naming the file (missing, a folder,
    unreadable, not UTF-8, invalid TOML, nested too deeply)."""
    text = read_text(path, what, "TOML")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{what} {path} is not valid TOML: {err}") from None
    except RecursionError:
        raise ValueError(
            f"{what} {path}: arrays or tables nested too deeply; allowed: a scenario's few levels"
        ) from None
