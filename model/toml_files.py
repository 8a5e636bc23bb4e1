"""Reading scenario files: TOML parsed with ``tomllib`` — nothing is unpickled or evaluated."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: str | Path, what: str = "scenario file") -> dict[str, Any]:
    """The file's tables, or one clear ``ValueError`` naming the file (missing, a folder,
    unreadable, not UTF-8, invalid TOML, nested too deeply)."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{what} {path} is a folder; allowed: a TOML file") from None
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{what} {path} is not UTF-8 text (byte 0x{err.object[err.start]:02x} at position "
            f"{err.start}); TOML files are UTF-8"
        ) from None
    except OSError as err:
        raise ValueError(f"{what} {path}: cannot read it ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{what} {path} is not valid TOML: {err}") from None
    except RecursionError:
        raise ValueError(
            f"{what} {path}: arrays or tables nested too deeply; allowed: a scenario's few levels"
        ) from None
