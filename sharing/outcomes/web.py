"""The rights owner's pages "What became of my reports" and "Enforcement statistics" (with its CSV):
the outcomes API's selectors rendered, each read audited as the API's."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.purposes import Purpose
from accounts.roles import Capability
from accounts.web_access import ActorRequest, capability_required, flat_errors
from accounts.web_lists import page_audited
from sharing.checks.services.words import LEVEL_BADGES, dispute_state_label, level_label, type_label
from sharing.models.parcels import ParcelEventKind
from sharing.outcomes import selectors, statistics
from sharing.outcomes.charts import MEASURES, count_text, period_label, statistics_charts
from sharing.outcomes.inputs import StatisticsInput

PAGE_SIZE = 20


@capability_required(Capability.REPORT_READ)
def outcomes_page(request: ActorRequest) -> HttpResponse:
    """Each subject the organisation's accepted reports name, a page at a time (each page audited)."""
    page = page_audited(
        request,
        selectors.owner_subjects(actor=request.actor),
        audit=lambda rows: selectors.outcomes_page_audit(actor=request.actor, page=rows),
        page_size=PAGE_SIZE,
    )
    outcomes = selectors.subject_outcomes(actor=request.actor, subjects=list(page))
    return render(
        request,
        "sharing/owner/outcomes.html",
        {
            "page": page,
            "rows": [_outcome_row(outcome) for outcome in outcomes],
            "threshold": selectors.suppression_threshold(),
        },
    )


def _outcome_row(outcome: selectors.SubjectOutcome) -> dict:
    """An outcome in the reader's words: labels for codes, "fewer than N" for suppressed counts."""
    return {
        "outcome": outcome,
        "level": level_label(outcome.state.level),
        "badge": LEVEL_BADGES.get(outcome.state.level, ""),
        "types": [type_label(t) for t in outcome.state.matched_types],
        "new_types": [type_label(t) for t in outcome.new_account_types],
        "checked_by": count_text(outcome.checked_by),
        "acted_by": count_text(outcome.acted_by),
        "parcel_events": [
            (kind, label, count_text(outcome.state.parcel_events[kind]))
            for kind, label in ParcelEventKind.choices
        ],
        "disputes": [(dispute, dispute_state_label(dispute.state)) for dispute in outcome.disputes],
    }


def _figures(request: ActorRequest) -> tuple[statistics.EnforcementStatistics | None, dict, dict]:
    payload = StatisticsInput(data=request.GET)
    if not payload.is_valid():
        return None, flat_errors(payload.errors), {}
    chosen = payload.validated_data
    figures = statistics.enforcement_statistics(
        actor=request.actor, period=chosen["period"], count=chosen["periods"], now=timezone.now()
    )
    return figures, {}, chosen


@capability_required(Capability.REPORT_READ)
def statistics_page(request: ActorRequest) -> HttpResponse:
    """The organisation's enforcement statistics as bar charts with their table, period by period."""
    figures, errors, chosen = _figures(request)
    context = {
        "errors": errors,
        "periods_choices": statistics.Period.choices,
        "chosen": chosen
        or {"period": request.GET.get("period", ""), "periods": request.GET.get("periods", "")},
        "max_periods": statistics.MAX_PERIODS,
        "threshold": selectors.suppression_threshold(),
    }
    if figures is None:
        return render(request, "sharing/owner/statistics.html", context, status=400)
    statistics.statistics_audit(actor=request.actor, figures=figures)
    rows = [
        {
            "label": period_label(row.start, figures.period),
            "cells": [count_text(getattr(row, key)) for key, _ in MEASURES],
        }
        for row in figures.periods
    ]
    context.update(
        {
            "figures": figures,
            "charts": statistics_charts(figures),
            "measures": [title for _, title in MEASURES],
            "rows": rows,
            "purpose_titles": [label for _, label in Purpose.choices],
            "purpose_rows": [
                {
                    "label": period_label(row.start, figures.period),
                    "cells": [count_text(row.hits_by_purpose[value]) for value in Purpose.values],
                }
                for row in figures.periods
            ],
        }
    )
    return render(request, "sharing/owner/statistics.html", context)


@capability_required(Capability.REPORT_READ)
def statistics_download(request: ActorRequest) -> HttpResponse:
    """The statistics as CSV (formula-safe); bad parameters: 400 with each field's message."""
    figures, errors, chosen = _figures(request)
    if figures is None:
        return HttpResponse(
            "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    statistics.statistics_audit(actor=request.actor, figures=figures, downloaded=True)
    response = HttpResponse(statistics.statistics_csv(figures) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="enforcement-statistics-{figures.period}.csv"'
    return response
