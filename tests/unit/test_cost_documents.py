"""The cost tables in the docs are the measured lifecycle's (benchmarks/lifecycle_cost.py), not
typed by hand: each generated section is what the figures file renders to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import lifecycle_cost, pricing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(lifecycle_cost.FIGURES.read_text())
    return loaded


@pytest.mark.parametrize("section", list(lifecycle_cost.GENERATED))
def test_each_generated_section_is_what_the_measured_figures_render(
    figures: dict[str, object], section: str
) -> None:
    doc, name, render = lifecycle_cost.GENERATED[section]
    text = lifecycle_cost.DOCS[doc].read_text()

    expected = lifecycle_cost.replace_generated(text, name, render(figures))

    assert text == expected, f"{doc}: re-run python -m benchmarks.lifecycle_cost"


def test_the_plot_is_there() -> None:
    assert lifecycle_cost.PLOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "figures/cost-per-1000-orders.png" in (ROOT / "docs" / "performance.md").read_text()


def test_a_month_adds_the_fixed_costs_and_without_sms_drops_only_sms() -> None:
    figures = {
        "usd_per_1000_orders": {"API Gateway": 0.2, "SNS SMS": 100.0, "SES e-mail": 0.5},
        "fixed_usd_per_month": {"alarms and metrics": 8.0, "secret": 1.0},
    }

    rows = {row["orders"]: row for row in pricing.monthly_rows(figures)}

    assert rows[1_000]["total"] == pytest.approx(100.7)
    assert rows[1_000]["fixed"] == 0
    assert rows[10_000]["total"] == pytest.approx(1007 + 9)
    assert rows[10_000]["total without SMS"] == pytest.approx(7 + 9)


@pytest.mark.parametrize(
    ("cpu_ms", "io_ms", "memory_mb", "billed"),
    [
        (0.1, 0.0, 1769, 1),  # never below Lambda's 1 ms step
        (1.0, 0.0, 256, 7),  # a seventh of a vCPU at 256 MB: 6.9 ms
        (1.0, 12.0, 3008, 13),  # more memory than a vCPU buys no speed
    ],
)
def test_an_invocation_bills_its_cpu_at_its_memory_plus_its_waiting(
    cpu_ms: float, io_ms: float, memory_mb: int, billed: int
) -> None:
    assert pricing.billed_ms(cpu_ms, io_ms, memory_mb) == billed


def test_an_index_entry_whose_key_changes_is_written_twice() -> None:
    moved = lifecycle_cost._index_writes(
        lifecycle_cost.Shape(900, {"GSI2": ("DUE#1",)}),
        lifecycle_cost.Shape(1500, {"GSI2": ("DUE#2",)}),
    )
    same = lifecycle_cost._index_writes(
        lifecycle_cost.Shape(900, {"GSI2": ("DUE#1",)}),
        lifecycle_cost.Shape(1500, {"GSI2": ("DUE#1",)}),
    )
    left = lifecycle_cost._index_writes(
        lifecycle_cost.Shape(900, {"GSI2": ("DUE#1",)}), lifecycle_cost.Shape(800, {"GSI2": None})
    )

    assert (moved, same, left) == (2 + 1, 2, 1)
