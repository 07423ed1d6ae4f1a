"""What the statistics API and page take: one rule for both (pages never import the API's serializers)."""

from __future__ import annotations

from rest_framework import serializers

from sharing.outcomes.statistics import DEFAULT_PERIODS, MAX_PERIODS, Period


class StatisticsInput(serializers.Serializer):
    period = serializers.ChoiceField(choices=Period.choices, default=Period.MONTH)
    periods = serializers.IntegerField(min_value=1, max_value=MAX_PERIODS, default=DEFAULT_PERIODS)
