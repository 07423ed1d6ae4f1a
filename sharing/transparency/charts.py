"""A transparency document (its JSON, stored or drafted) as the page draws it: bar charts from the
statistics page's builder (sharing/outcomes/charts.py), each with a table of the same numbers.

The page reads the document, not the database, so it shows exactly what was signed."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from sharing.models import Category, DisputeStatus, VerificationLevel
from sharing.outcomes.charts import BarChart, bar_chart, count_text
from sharing.outcomes.selectors import SuppressedCount

# Row labels here are phrases ("Reporters suspended for misuse"), wider than the statistics' dates.
LABEL_WIDTH = 270


@dataclass(frozen=True)
class ChartWithTable:
    chart: BarChart
    rows: list[tuple[str, str]]  # (label, the figure as the page writes it)


def _count(value: int | None, threshold: int) -> SuppressedCount:
    return SuppressedCount(value, threshold)


def _chart(key: str, title: str, rows: list[tuple[str, int | None]], threshold: int) -> ChartWithTable:
    counts = [(label, _count(value, threshold)) for label, value in rows]
    return ChartWithTable(
        bar_chart(key, title, counts, label_width=LABEL_WIDTH),
        [(label, count_text(value)) for label, value in counts],
    )


def document_charts(document: dict) -> list[ChartWithTable]:
    """The document's figures in the reader's language, one chart per group."""
    figures, threshold = document["figures"], document["suppression_threshold"]
    by_category, by_level = figures["reports_by_category"], figures["reports_by_verification_level"]
    outcomes, orders = figures["dispute_outcomes"], figures["disclosure_orders"]
    return [
        _chart(
            "screening",
            gettext("Checks of sellers"),
            [
                (gettext("Single checks"), figures["checks"]),
                (gettext("Bulk screening rows"), figures["bulk_rows"]),
            ],
            threshold,
        ),
        _chart(
            "categories",
            gettext("Reports filed, by category"),
            [(str(label), by_category.get(value)) for value, label in Category.choices],
            threshold,
        ),
        _chart(
            "levels",
            gettext("Reports filed, by verification level"),
            [(str(label), by_level.get(value)) for value, label in VerificationLevel.choices],
            threshold,
        ),
        _chart(
            "review",
            gettext("Reports reviewed"),
            [
                (gettext("Reports accepted"), figures["reports_accepted"]),
                (gettext("Reports rejected"), figures["reports_rejected"]),
            ],
            threshold,
        ),
        _chart(
            "disputes",
            gettext("Disputes and their outcomes"),
            [(gettext("Disputes filed"), figures["disputes_filed"])]
            + [
                (gettext("Decided: the reports stand"), outcomes.get(DisputeStatus.UPHELD)),
                (gettext("Decided: the reports were overturned"), outcomes.get(DisputeStatus.OVERTURNED)),
                (gettext("Lapsed: the reporter did not answer in time"), outcomes.get(DisputeStatus.LAPSED)),
            ],
            threshold,
        ),
        _chart(
            "disclosure",
            gettext("Court disclosure orders"),
            [
                (gettext("Orders received"), orders["received"]),
                (gettext("Orders approved"), orders["approved"]),
                (gettext("Orders narrowed"), orders["narrowed"]),
                (gettext("Orders refused"), orders["refused"]),
            ],
            threshold,
        ),
        _chart(
            "oversight",
            gettext("Reporters suspended and alerts raised"),
            [
                (gettext("Reporters suspended for misuse"), figures["reporter_suspensions"]),
                (gettext("Alerts raised"), figures["alerts_raised"]),
            ],
            threshold,
        ),
    ]
