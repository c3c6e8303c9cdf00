"""Promise rules and catalogue: loaded and validated once per container.

The packaged TOML files next to this module are the default. In AWS the caller may fetch an
override document (AppConfig or SSM: ``{"rules": {...}, "catalogue": {...}}``, either part
optional, same shapes as the files) and pass it in; each distinct document is validated once too.
A bad field raises RuleConfigError naming the document and the field's dotted path.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from chalicelib.domain.promise.build import build_config
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.schema import RuleConfigError

CONFIG_DIR = Path(__file__).parent
RULES_FILE = "rules.toml"
CATALOGUE_FILE = "catalogue.toml"
OVERRIDE = "override document"
OVERRIDE_PARTS = ("rules", "catalogue")

__all__ = ["RuleConfigError", "load_config"]


def load_config(document: Mapping[str, Any] | None = None) -> PromiseConfig:
    """The promise configuration: packaged files, or `document` laid over them."""
    if document is None:
        return _packaged_config()
    for part in document:
        if part not in OVERRIDE_PARTS:
            raise RuleConfigError(OVERRIDE, str(part), "unknown part; expected rules, catalogue")
    # Keyed by canonical JSON: dicts are unhashable, and equal documents must share one build.
    return _override_config(json.dumps(document, sort_keys=True, default=str))


@cache
def _packaged_config() -> PromiseConfig:
    return build_config(
        _packaged(RULES_FILE),
        _packaged(CATALOGUE_FILE),
        rules_source=RULES_FILE,
        catalogue_source=CATALOGUE_FILE,
    )


@lru_cache(maxsize=4)
def _override_config(canonical: str) -> PromiseConfig:
    document: dict[str, Any] = json.loads(canonical)
    rules, catalogue = document.get("rules"), document.get("catalogue")
    return build_config(
        _packaged(RULES_FILE) if rules is None else rules,
        _packaged(CATALOGUE_FILE) if catalogue is None else catalogue,
        rules_source=RULES_FILE if rules is None else f"{OVERRIDE}: rules",
        catalogue_source=CATALOGUE_FILE if catalogue is None else f"{OVERRIDE}: catalogue",
    )


@cache
def _packaged(name: str) -> dict[str, Any]:
    try:
        with (CONFIG_DIR / name).open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise RuleConfigError(name, "(syntax)", str(exc)) from exc
