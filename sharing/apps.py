from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Shared intelligence"

    def ready(self) -> None:
        # The feed publishes each rights owner's outcomes, which sharing.outcomes (a layer above the
        # feed) computes: it hands the feed its provider here (sharing/feed/services/audiences.py).
        from sharing.feed.services.audiences import outcome_states_provide
        from sharing.outcomes.selectors import feed_outcome_states

        outcome_states_provide(feed_outcome_states)
