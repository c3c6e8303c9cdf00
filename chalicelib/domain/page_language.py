"""Which language a customer's page speaks: the one asked for, else the order's, else English."""

from __future__ import annotations

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "en"  # as the notifications: a language the pages do not speak reads English


def page_language(requested: str | None, *preferred: str | None) -> str:
    """``?lang=`` when the pages speak it; otherwise the first of ``preferred`` (locale tags such
    as the order's ``de-AT``, or a browser's languages) whose language they speak."""
    if requested in LANGUAGES:
        return requested
    for tag in preferred:
        language = (tag or "").strip().lower().replace("_", "-").split("-", 1)[0]
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (q=0 means not wanted)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag.strip() and weight > 0:
            weighted.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
