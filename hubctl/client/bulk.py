"""Bulk screening jobs: a file of sellers uploaded as multipart, streamed from disk, then polled."""

from __future__ import annotations

from pathlib import Path

from hubctl.client.base import ClientBase, checked_uuid
from hubctl.client.transport import json_answer

# The hub answers an upload only once every row is tokenised and stored: about 25 s per million
# rows of tokens and over three minutes per million rows of raw identifiers (benchmarks/RESULTS.md).
UPLOAD_ANSWER_SECONDS_PER_MB = 3.0


class BulkCalls(ClientBase):
    """Submit, follow, cancel and collect bulk check jobs."""

    def bulk_submit(self, path: str | Path, *, purpose: str, content_type: str = "text/csv") -> dict:
        """Upload a CSV or JSONL file (streamed from disk) as a bulk job for a purpose; returns {"id"}."""
        return self._retried(
            lambda: self._send_multipart(
                "/api/v1/bulk-checks", Path(path), content_type, {"purpose": purpose}
            )
        )

    def bulk_status(self, job_id: str) -> dict:
        """A bulk job's progress: status, done, total, rate and eta_seconds."""
        return self._call("GET", _job_path(job_id))

    def bulk_cancel(self, job_id: str, reason: str = "") -> dict:
        """Cancel a queued or running bulk job; returns its progress."""
        body = {"reason": reason} if reason else {}
        return self._call("POST", f"{_job_path(job_id)}/cancel", body)

    def bulk_results(self, job_id: str, file_format: str = "jsonl") -> bytes:
        """A finished bulk job's results as the hub sent them (JSONL or CSV)."""
        if file_format not in ("jsonl", "csv"):
            raise ValueError("The results format is jsonl or csv.")
        return self._call_bytes("GET", f"{_job_path(job_id)}/results?format={file_format}")

    def _send_multipart(self, path: str, file_path: Path, content_type: str, fields: dict[str, str]) -> dict:
        """POST one file as multipart/form-data and return the JSON answer; raise HubError on any failure."""
        # Wait for the answer in proportion to the file, not the per-request timeout.
        timeout = max(self.timeout, UPLOAD_ANSWER_SECONDS_PER_MB * file_path.stat().st_size / 1e6)
        name = file_path.name.replace('"', "").replace("\r", "").replace("\n", "") or "upload"
        with file_path.open("rb") as handle:
            # httpx streams an open file in blocks and states its length: the file is never read whole.
            request = self._http.build_request(
                "POST",
                self.base_url + path,
                headers=self._headers(),
                data=fields,
                files={"file": (name, handle, content_type)},
            )
            status, payload = self._exchange(request, timeout=timeout)
        return json_answer(status, payload, "POST", path)


def _job_path(job_id: str) -> str:
    """The API path of one bulk job."""
    return f"/api/v1/bulk-checks/{checked_uuid(job_id, 'bulk job')}"
