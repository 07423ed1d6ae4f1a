"""Cross-platform sales totals: requesters ask and fetch; members list, answer or decline their tasks.

Figures never travel in clear: hubctl encrypts them under the requester's Paillier key before
calling submit, and only the requester's private key (which never leaves its machine) decrypts the
released sum."""

from __future__ import annotations

from hubctl.client.base import ClientBase, checked_uuid


class SalesTotalsCalls(ClientBase):
    """The sales totals API."""

    def sales_totals_request(
        self,
        *,
        subject: str,
        period_start: str,
        period_end: str,
        currency: str,
        n: int,
        k: int | None = None,
        case_reference: str = "",
    ) -> dict:
        """Ask for a listed seller's totals under the Paillier modulus n (the public key)."""
        body: dict = {
            "subject": str(checked_uuid(subject, "subject")),
            "period_start": period_start,
            "period_end": period_end,
            "currency": currency,
            "public_key": str(n),
            "case_reference": case_reference,
        }
        if k is not None:
            body["k"] = k
        return self._call("POST", "/api/v1/sales-totals", body)

    def sales_totals_get(self, request_id: str) -> dict:
        """One of your requests: once released, the encrypted sums and the hub's signed statement."""
        return self._call("GET", f"/api/v1/sales-totals/{checked_uuid(request_id, 'sales totals request')}")

    def sales_totals_tasks(self, *, limit: int = 100) -> list[dict]:
        """Your organisation's tasks (the first page of up to `limit`)."""
        return self._call("GET", f"/api/v1/sales-totals-tasks?limit={int(limit)}")["results"]

    def sales_totals_task(self, task_id: str) -> dict:
        """One task, with the requester's public key."""
        return self._call("GET", _task_path(task_id))

    def sales_totals_submit(self, task_id: str, *, ciphertexts: dict[str, str], accounts: int) -> dict:
        """Submit ciphertexts (already encrypted under the requester's key) and the accounts they cover."""
        return self._call(
            "POST", f"{_task_path(task_id)}/submit", {"ciphertexts": ciphertexts, "accounts": accounts}
        )

    def sales_totals_decline(self, task_id: str, *, reason: str) -> dict:
        """Decline a task with a reason."""
        return self._call("POST", f"{_task_path(task_id)}/decline", {"reason": reason})


def _task_path(task_id: str) -> str:
    return f"/api/v1/sales-totals-tasks/{checked_uuid(task_id, 'sales totals task')}"
