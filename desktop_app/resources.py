"""Master data shipped in ``resources/``: prefectures, case types, the era table."""
from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path


def resources_dir() -> Path:
    # A PyInstaller bundle unpacks data beside the executable; a checkout keeps it at the top level.
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def _load(name: str) -> dict:
    with open(resources_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)


@dataclass(frozen=True)
class Prefecture:
    code: str  # JIS X 0401, "01".."47"
    name: str  # 大阪府
    police: str  # 大阪府警察本部 / 警視庁
    regional_hqs: tuple[str, ...] = ()


@functools.cache
def prefectures() -> tuple[Prefecture, ...]:
    return tuple(
        Prefecture(p["code"], p["name"], p["police"], tuple(p.get("regional_hqs", ())))
        for p in _load("prefectures.json")["prefectures"]
    )


def prefecture(code_or_name: str) -> Prefecture:
    """Look a prefecture up by JIS code ("27", "7") or by name ("大阪府", "大阪")."""
    key = str(code_or_name).strip()
    if key.isdigit():
        key = f"{int(key):02d}"
    for p in prefectures():
        if key in (p.code, p.name, p.police) or (len(key) >= 2 and p.name.rstrip("都道府県") == key):
            return p
    raise KeyError(code_or_name)


@functools.cache
def case_types() -> tuple[str, ...]:
    return tuple(_load("case_types.json")["case_types"])


@functools.cache
def refinements() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in _load("case_types.json")["refinements"].items()}


@functools.cache
def eras() -> tuple[dict, ...]:
    return tuple(_load("eras.json")["eras"])
