"""python-tuf's network layer on the terminal's one ``requests`` Session, and on USB folders.

TUF's default fetcher is urllib3 with the OS trust store, so proxy and CA settings would differ
from the rest of the terminal (docs/ARCHITECTURE.md, "The terminal's client"). Bodies are read raw (``decode_content=False``) after
asking for ``identity``: a server that gzips anyway produces a hash mismatch, never a gzip bomb.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter
from tuf.api.exceptions import DownloadError, DownloadHTTPError
from tuf.ngclient import FetcherInterface
from urllib3.util.retry import Retry

from sync.transport import Deadline, session_timeouts

CHUNK = 64 * 1024
ByteCounter = Callable[[int], None]


def mount_get_retries(session: requests.Session) -> None:
    """Retry GETs a couple of times on dropped connections and 5xx, briefly. POSTs are never retried
    here: the outbox does that with its idempotency keys. Retry-After is not slept on (a portal
    saying "come back in an hour" must not freeze a sync); the next scheduled run comes anyway."""
    retry = Retry(total=2, connect=2, read=0, status=2, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=frozenset({"GET", "HEAD"}), respect_retry_after_header=False, raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def file_path(url: str) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))


class RequestsFetcher(FetcherInterface):
    """Streams each file with ``timeout=(connect, read)`` under an overall deadline, counting bytes."""

    def __init__(self, session: requests.Session, deadline: Deadline, on_bytes: ByteCounter | None = None) -> None:
        self.session = session
        self.deadline = deadline
        self.on_bytes = on_bytes
        self.bytes_read = 0
        self.clock_skew_s: float | None = None  # portal's Date header minus our clock, from the last answer

    def _count(self, amount: int) -> None:
        self.bytes_read += amount
        if self.on_bytes is not None:
            self.on_bytes(amount)

    def _fetch(self, url: str) -> Iterator[bytes]:
        if url.startswith("file:"):
            return self._fetch_file(file_path(url))
        if self.deadline.expired():
            raise DownloadError("the sync ran out of time")
        timeouts = session_timeouts(self.session)
        response = self.session.get(url, stream=True, timeout=timeouts.pair(self.deadline.remaining()),
                                    headers={"Accept-Encoding": "identity"})
        self._note_date(response.headers.get("Date"))
        if response.status_code >= 400:
            response.close()
            raise DownloadHTTPError(f"{url} answered HTTP {response.status_code}", response.status_code)
        return self._chunks(response)

    def _note_date(self, header: str | None) -> None:
        """Remember how far our clock is from the portal's: expired metadata may be a wrong clock."""
        if not header:
            return
        try:
            server = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if server.tzinfo is not None:
            # the system clock, not Terminal.clock: python-tuf checks expiry against the system clock
            self.clock_skew_s = (server - dt.datetime.now(dt.UTC)).total_seconds()

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            for chunk in response.raw.stream(CHUNK, decode_content=False):
                if self.deadline.expired():
                    raise DownloadError("the sync ran out of time")
                self._count(len(chunk))
                yield chunk
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            raise DownloadError(f"the connection broke during {response.url}: {exc}") from exc
        finally:
            response.close()

    def _fetch_file(self, path: Path) -> Iterator[bytes]:
        if not path.is_file():
            raise DownloadHTTPError(f"{path} is not on the medium", 404)
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                self._count(len(chunk))
                yield chunk
