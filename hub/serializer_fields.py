"""DRF fields whose messages read well: DRF's own ListField says "at least 1 elements"."""

from __future__ import annotations

from rest_framework import serializers

from hub.wording import count_of


class ListField(serializers.ListField):
    """A ListField whose length messages count items in plain words ("Give at least 1 item.")."""

    def __init__(self, *args, **kwargs):
        # Set before DRF builds its length validators, which copy these messages.
        messages = {"empty": "Give at least 1 item."}
        if kwargs.get("min_length") is not None:
            messages["min_length"] = f"Give at least {count_of(kwargs['min_length'], 'item')}."
        if kwargs.get("max_length") is not None:
            messages["max_length"] = f"Give at most {count_of(kwargs['max_length'], 'item')}."
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)
