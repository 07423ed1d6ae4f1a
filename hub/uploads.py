"""Upload handling for files of raw identifiers: a large upload goes to disk only encrypted.

Django's TemporaryFileUploadHandler writes any upload above FILE_UPLOAD_MAX_MEMORY_SIZE to a
plain temporary file, where raw phone numbers would lie in clear while the request runs, and
after a crash. Here each chunk is sealed as it arrives (AES-256-GCM, one frame per chunk, the
frame number as nonce) under a random key that exists only in this process's memory, into a
temporary file that has no name (so the system frees it on close or when the process dies).
The view gets a file that decrypts a frame at a time as it is read: never the whole upload in
memory, never a byte of it on disk in clear. Small uploads stay in memory, as Django keeps them.

Size. Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files: a 1 GB upload
was spooled whole. UploadLimitHandler runs before the others and refuses a body over the
route's limit, by its Content-Length before a byte is read and by counting file bytes as they
arrive, so nothing past the limit reaches the spool. A route declares a larger limit with
`@upload_limit("SETTING")` (API classes: `upload_limit_setting`); every other route gets
DATA_UPLOAD_MAX_MEMORY_SIZE, the hub's limit for any request body.
"""

from __future__ import annotations

import io
import struct
import tempfile

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext

from hub.errors import DomainError

FRAME_BYTES = 64 * 1024
_TAG_BYTES = 16
_LENGTH = struct.Struct(">I")  # a frame on disk: the sealed length, then nonce-less ciphertext and tag


DEFAULT_LIMIT_SETTING = "DATA_UPLOAD_MAX_MEMORY_SIZE"


class UploadTooLargeError(RequestDataTooBig):
    """An upload over its route's limit; the API answers 413, a page shows the message with 413."""

    def __init__(self, limit: int):
        self.limit = limit
        self.message = f"The upload is larger than the {limit:,} bytes the hub accepts here; split it into smaller files."
        super().__init__(self.message)


def upload_limit(setting_name: str):
    """Let a page accept uploads up to settings.<setting_name> bytes (read per request, so tests can change it)."""

    def declare(view):
        view.upload_limit_setting = setting_name
        return view

    return declare


def upload_limit_of(request) -> int:
    """The byte limit of the route the request resolved to (its view's declaration, else the default)."""
    match = getattr(request, "resolver_match", None)
    view = match.func if match is not None else None
    name = (
        getattr(view, "upload_limit_setting", None)
        or getattr(getattr(view, "view_class", None), "upload_limit_setting", None)
        or DEFAULT_LIMIT_SETTING
    )
    # Web bodies are read before the view checks the login (hub/input_guard.py): a stranger gets the default.
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        name = DEFAULT_LIMIT_SETTING
    return int(getattr(settings, name))


class SpoolTamperedError(DomainError):
    """The spool on disk is not what this request wrote (altered, cut short or extended).

    A domain error, so the member gets a clear answer to resend rather than a server error,
    and the transaction reading the upload rolls back with nothing half-stored.
    """

    code = "upload_unreadable"

    def __init__(self, detail: str):
        super().__init__(f"The upload could not be read back intact ({detail}); send it again.")


class EncryptedSpool:
    """An unnamed temporary file of AES-GCM frames under a key held only in memory."""

    def __init__(self) -> None:
        # A fresh key per file, so the frame counter is a nonce that is never reused under it.
        self._aead: AESGCM | None = AESGCM(AESGCM.generate_key(bit_length=256))
        self.file = tempfile.TemporaryFile(
            dir=settings.FILE_UPLOAD_TEMP_DIR, prefix="upload-", suffix=".spool"
        )
        self.frames = 0
        self.size = 0

    def append(self, data: bytes) -> None:
        """Seal and write `data`, a frame per FRAME_BYTES."""
        for start in range(0, len(data), FRAME_BYTES):
            plain = data[start : start + FRAME_BYTES]
            sealed = self._cipher().encrypt(_nonce(self.frames), plain, None)
            self.file.write(_LENGTH.pack(len(sealed)) + sealed)
            self.frames += 1
            self.size += len(plain)

    def frame(self, number: int) -> bytes:
        """The plaintext of frame `number`, read from the file's current position; b"" after the last."""
        header = self.file.read(_LENGTH.size)
        if not header:
            # The frame count lives in memory: a spool cut short on disk cannot pass for a short upload.
            if number != self.frames:
                raise SpoolTamperedError(gettext("The upload was cut short on the server: send it again."))
            return b""
        (length,) = _LENGTH.unpack(header) if len(header) == _LENGTH.size else (0,)
        if number >= self.frames or not 0 < length <= FRAME_BYTES + _TAG_BYTES:
            raise SpoolTamperedError(
                gettext("The upload changed on the server after it arrived: send it again.")
            )
        sealed = self.file.read(length)
        if len(sealed) != length:
            raise SpoolTamperedError(gettext("The upload was cut short on the server: send it again."))
        try:
            return self._cipher().decrypt(_nonce(number), sealed, None)
        except InvalidTag:
            raise SpoolTamperedError(
                gettext("The upload changed on the server after it arrived: send it again.")
            ) from None

    def close(self) -> None:
        """Forget the key and free the file."""
        self._aead = None
        self.file.close()

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            raise ValueError("The upload spool is closed.")
        return self._aead


def _nonce(number: int) -> bytes:
    return number.to_bytes(12, "big")


class _SpoolReader(io.RawIOBase):
    """The spool's plaintext as a readable stream, decrypted a frame at a time."""

    def __init__(self, spool: EncryptedSpool) -> None:
        super().__init__()
        self._spool = spool
        self._rewind()

    def _rewind(self) -> None:
        self._spool.file.seek(0)
        self._next, self._plain, self._offset, self._pos = 0, b"", 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Any position, by rewinding and reading forward (callers rewind to the start; anything else is rare)."""
        target = offset + {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._spool.size}[whence]
        if target < self._pos:
            self._rewind()
        while self._pos < target and self.read(min(target - self._pos, FRAME_BYTES)):
            pass
        return self._pos

    def readinto(self, buffer) -> int:
        if self._offset == len(self._plain):
            self._plain, self._offset = self._spool.frame(self._next), 0
            self._next += bool(self._plain)
        taken = self._plain[self._offset : self._offset + len(buffer)]
        buffer[: len(taken)] = taken
        self._offset += len(taken)
        self._pos += len(taken)
        return len(taken)

    def close(self) -> None:
        if not self.closed:
            self._spool.close()
        super().close()


class EncryptedSpoolUploadHandler(FileUploadHandler):
    """Stream each uploaded file into an EncryptedSpool; the view reads it back decrypted."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        # Named `file`, as Django's parser expects, so it closes the spool if the upload stops.
        self.file = EncryptedSpool()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.file.append(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.file.flush()
        reader = io.BufferedReader(_SpoolReader(self.file), buffer_size=FRAME_BYTES)
        return UploadedFile(
            file=reader,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()


class UploadLimitHandler(FileUploadHandler):
    """First of the upload handlers: refuse a body over the route's limit before anything is kept of it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        self.limit = upload_limit_of(self.request)
        self.received = 0
        if content_length > self.limit:
            raise UploadTooLargeError(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        # Counted too: the declared length is the client's word, and a body may come without one.
        self.received += len(raw_data)
        if self.received > self.limit:
            self._others_interrupted()
            raise UploadTooLargeError(self.limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _others_interrupted(self) -> None:
        # The spool handler frees its file (and forgets its key) now, not when the request is collected.
        for handler in getattr(self.request, "upload_handlers", []):
            if handler is not self:
                handler.upload_interrupted()
