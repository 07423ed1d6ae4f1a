"""Notices to an organisation (a dispute filed, a standing changed, an appeal decided).

On its own, below reports, disputes and reputation: each of them notifies, and reputation
and disputes would otherwise import each other for it.
"""

from sharing.models import Notification


def notify(*, organisation_id: int, kind: str, message: str, data: dict) -> Notification:
    return Notification.objects.create(organisation_id=organisation_id, kind=kind, message=message, data=data)
