"""One configured HTTP session for everything the terminal sends to or fetches from the portal.

requests pitfalls this module exists to avoid (docs/ARCHITECTURE.md, "The terminal's client"):

- ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` override ``Session.verify`` and proxy environment
  variables override ``Session.proxies``, so the CA bundle and proxy from settings are passed
  **per request** (:class:`KioskSession` does it for every call).
- requests has no default timeout: every call gets ``(connect, read)`` unless the caller gives one,
  and callers keep an overall deadline (:class:`Timeouts`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from kiosk import __version__
from kiosk.settings import Settings

SettingsLike = Settings | Mapping[str, Any]

USER_AGENT = f"disclosure-kiosk/{__version__}"


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, to wait for each read, and for a whole sync or delivery run."""

    connect: float = 10.0
    read: float = 30.0
    deadline: float = 300.0

    @classmethod
    def from_settings(cls, settings: SettingsLike, *, deadline: float = 300.0) -> Timeouts:
        return cls(float(settings["sync.connect_timeout_s"]), float(settings["sync.read_timeout_s"]), deadline)

    def pair(self, remaining: float | None = None) -> tuple[float, float]:
        """``timeout=`` for one request, never longer than what is left of the deadline."""
        if remaining is None:
            return (self.connect, self.read)
        remaining = max(0.1, remaining)
        return (min(self.connect, remaining), min(self.read, remaining))


class Deadline:
    """An overall time limit measured on the monotonic clock (wall-clock jumps don't matter)."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0


class KioskSession(requests.Session):
    """A Session that applies the configured CA bundle, proxy and timeouts to every request."""

    def __init__(self, *, ca_bundle: str = "", proxy: str = "", timeouts: Timeouts | None = None) -> None:
        super().__init__()
        self.ca_bundle = ca_bundle
        self.proxy = proxy
        self.timeouts = timeouts or Timeouts()
        self.headers["User-Agent"] = USER_AGENT
        if proxy:
            self.proxies.update({"http": proxy, "https": proxy})

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.ca_bundle and kwargs.get("verify") is None:
            kwargs["verify"] = self.ca_bundle  # per request: REQUESTS_CA_BUNDLE would override Session.verify
        if self.proxy and not kwargs.get("proxies"):
            kwargs["proxies"] = {"http": self.proxy, "https": self.proxy}  # per request: HTTPS_PROXY would override Session.proxies
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeouts.pair()
        return super().request(method, url, *args, **kwargs)


def make_session(settings: SettingsLike) -> KioskSession:
    """The terminal's one Session, from ``sync.proxy``, ``sync.ca_bundle`` and the timeout settings."""
    return KioskSession(ca_bundle=settings["sync.ca_bundle"], proxy=settings["sync.proxy"], timeouts=Timeouts.from_settings(settings))


def session_timeouts(session: requests.Session) -> Timeouts:
    """The session's timeouts if it is ours, else the defaults."""
    found = getattr(session, "timeouts", None)
    return found if isinstance(found, Timeouts) else Timeouts()
