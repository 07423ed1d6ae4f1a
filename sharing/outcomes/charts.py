"""Bar charts of the enforcement statistics, laid out server-side for inline SVG (no script, no CDN).

One horizontal bar per period and measure; a suppressed count draws no bar and says
why in words. Each chart goes with a table of the same numbers on the page (its text equivalent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.outcomes.selectors import SuppressedCount
from sharing.outcomes.statistics import EnforcementStatistics, Period

LABEL_WIDTH = 110
BAR_SPACE = 260
VALUE_WIDTH = 150
ROW_HEIGHT = 24
BAR_HEIGHT = 16
WIDTH = LABEL_WIDTH + BAR_SPACE + VALUE_WIDTH

MEASURES: tuple[tuple[str, str | Promise], ...] = (
    ("filed", _("Reports filed")),
    ("accepted", _("Reports accepted")),
    ("median_acceptance_hours", _("Median hours to acceptance")),
    ("hits", _("Hits: checks by members that matched your reported sellers")),
    ("actions", _("Actions by members")),
    ("reappearances", _("Reappearances: new accounts linked to your reported sellers")),
)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: int
    text: str
    text_x: int


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH


def period_label(start, period: str) -> str:
    """The period's start as a reader of the active language writes it."""
    if period == Period.YEAR:
        return formats.date_format(start, "Y")
    if period == Period.MONTH:
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def count_text(value) -> str:
    """A figure as the page shows it; a suppressed count as "fewer than N"."""
    if isinstance(value, SuppressedCount):
        return value.as_text()
    if value is None:
        return "—"
    return formats.number_format(value, use_l10n=True)


def _number(value) -> float:
    if isinstance(value, SuppressedCount):
        return float(value.value or 0)
    return float(value or 0)


def bar_chart(
    key: str, title: str, rows: Sequence[tuple[str, object]], *, label_width: int = LABEL_WIDTH
) -> BarChart:
    """One bar per (label, value) row, scaled to the largest; a suppressed value draws no bar.
    The statistics page and the transparency report (sharing/transparency/) both draw with it."""
    top = max((_number(value) for _, value in rows), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(rows):
        width = round(BAR_SPACE * _number(value) / top)
        bars.append(
            Bar(
                label=label,
                y=i * ROW_HEIGHT,
                width=width,
                text=count_text(value),
                text_x=label_width + width + 6,
            )
        )
    return BarChart(
        key=key,
        title=title,
        bars=bars,
        height=len(bars) * ROW_HEIGHT,
        width=label_width + BAR_SPACE + VALUE_WIDTH,
        label_width=label_width,
    )


def statistics_charts(figures: EnforcementStatistics) -> list[BarChart]:
    labels = [period_label(row.start, figures.period) for row in figures.periods]
    return [
        bar_chart(
            key, str(title), list(zip(labels, [getattr(row, key) for row in figures.periods], strict=True))
        )
        for key, title in MEASURES
    ]
