"""How current the content on screen is, as plain data for the home screen and `kiosk info`.

A terminal that can't reach the portal keeps working; what changes is what it says: 已同步 when
the last sync succeeded recently, 离线 when only the latest attempt failed, and 数据可能不是最新
once the last success is older than ``sync.stale_after_h`` or the feed's signatures expired. A
terminal that has never synced and has no portal configured (``sync.portal_url`` empty: content comes
by `kiosk import`) is not 离线, since there is nothing to be cut off from: it says 未连接门户.

Two dates are kept apart: ``content_updated_at`` (store meta, the newest record's ``updated_at``)
is how current the content is, and is what the screen and the paper call 内容截至; ``data_changed_at``
is when this terminal last imported anything, said only as 本机导入于 / the sync time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from kiosk.i18n import N_

if TYPE_CHECKING:
    from kiosk.terminal import Terminal


class SyncErrorKind(StrEnum):
    """Why a sync did not update, one word per cause staff can act on.

    Owned by the core because three places meet here: the sync client classifies into it, the store
    keeps it per channel (``sync_channel.error_kind``, the member's text), and the screen decides from
    it whether the data on show may still be trusted. A StrEnum, so the stored text, the JSON reports
    and the comparisons in older tests all stay plain strings.
    """

    NETWORK = "network"  # the portal could not be reached
    HTTP = "http"  # it answered, with an error status
    TIMEOUT = "timeout"  # the run ran out of time
    EXPIRED = "expired"  # signed metadata past its expiry (or the terminal's clock is wrong)
    CLOCK = "clock"  # expired, while our clock is over an hour from the portal's Date header
    TAMPERED = "tampered"  # a signature, hash or length did not verify
    ROLLBACK = "rollback"  # older metadata or an older generation than this terminal has
    FORMAT = "format"  # verified files that do not follow the protocol (a publisher bug)
    MISSING = "missing"  # an attachment the records need is not on the portal
    DISK = "disk"  # this terminal's disk is full
    STORE = "store"  # this terminal's database could not be written
    UNTRUSTED = "untrusted"  # no trust root yet: the terminal is not enrolled
    BUSY = "busy"  # another sync of this data folder is running
    INTERNAL = "internal"  # a bug in the terminal's own program, not a fault of the data or the network


#: Failures that mean "the portal's data could not be trusted", not just "no network": the screen
#: says 数据可能不是最新 at once. ``INTERNAL`` is not here: our own bug says nothing about the data.
DISTRUST: frozenset[SyncErrorKind] = frozenset({
    SyncErrorKind.EXPIRED, SyncErrorKind.CLOCK, SyncErrorKind.TAMPERED, SyncErrorKind.ROLLBACK, SyncErrorKind.FORMAT,
})

#: Why a run failed, in words a member of staff (and the status line on screen) can act on; catalogue ids, so
#: ``tr(ERROR_TEXT_ZH[kind], lang)`` says it in any language the kiosk speaks.
ERROR_TEXT_ZH: dict[SyncErrorKind, str] = {
    SyncErrorKind.NETWORK: N_("连不上县级门户，显示的是本机已有的内容"),
    SyncErrorKind.HTTP: N_("县级门户暂时无法提供更新，显示的是本机已有的内容"),
    SyncErrorKind.TIMEOUT: N_("更新超时，稍后再试"),
    SyncErrorKind.EXPIRED: N_("更新数据的签名已过期（或本机时钟不准），显示的是本机已有的内容"),
    SyncErrorKind.CLOCK: N_("本机时钟与县级门户相差较大，请工作人员校准时间；显示的是本机已有的内容"),
    SyncErrorKind.TAMPERED: N_("收到的更新数据未通过签名校验，已拒收，显示的是本机已有的内容"),
    SyncErrorKind.ROLLBACK: N_("收到的更新数据比本机的旧，已拒收"),
    SyncErrorKind.FORMAT: N_("收到的更新数据格式有误，已拒收"),
    SyncErrorKind.MISSING: N_("门户缺少部分附件，稍后再试"),
    SyncErrorKind.DISK: N_("本机存储空间已满，无法更新"),
    SyncErrorKind.STORE: N_("本机数据库无法写入，显示的是本机已有的内容"),
    SyncErrorKind.UNTRUSTED: N_("本机尚未登记到县级门户（缺少信任根），无法更新"),
    SyncErrorKind.BUSY: N_("另一个更新正在进行"),
    SyncErrorKind.INTERNAL: N_("终端程序出错，请联系工作人员"),
}
#: For a kind this program does not know (a newer app wrote the row): say what is certain.
UNKNOWN_ERROR_TEXT_ZH = N_("更新失败，显示的是本机已有的内容")


def error_kind_of(text: str) -> SyncErrorKind | None:
    """The kind stored as ``text``; None for "" (no error) or a word this program does not know."""
    try:
        return SyncErrorKind(text) if text else None
    except ValueError:
        return None


def error_text_zh(kind: str) -> str:
    """The staff sentence for a stored or reported kind, whatever program wrote it."""
    known = error_kind_of(kind)
    return ERROR_TEXT_ZH[known] if known is not None else UNKNOWN_ERROR_TEXT_ZH


@dataclass(frozen=True)
class DataStatus:
    kind: str  # no-portal | local (a portal or feed set, never synced) | fresh | offline | stale
    last_success: str  # ISO time, "" when never
    error_kind: str = ""  # a SyncErrorKind's text, "" when the last attempts succeeded
    error: str = ""

    @property
    def stale(self) -> bool:
        return self.kind == "stale"

    @property
    def message_zh(self) -> str:
        """Why the latest attempt failed, for staff; "" when it did not."""
        return error_text_zh(self.error_kind) if self.error_kind else ""


def _parse(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def data_status(terminal: Terminal, now: dt.datetime | None = None) -> DataStatus:
    now = now or terminal.clock()
    states = terminal.store.channel_states()
    if not states:  # never synced: with no portal configured there is nothing to be offline from
        follows = terminal.settings["sync.portal_url"] or terminal.settings["sync.feed_url"]  # a portal, or a feed mirror only
        return DataStatus("local" if follows else "no-portal", "")
    successes = [_parse(s["last_success"]) for s in states.values()]
    oldest = min((s for s in successes if s is not None), default=None) if all(successes) else None
    newest_success = max((s for s in successes if s is not None), default=None)
    failing = [s for s in states.values() if s["error_kind"]]
    error_kind = failing[0]["error_kind"] if failing else ""
    error = failing[0]["last_error"] if failing else ""
    last = newest_success.isoformat() if newest_success else ""
    limit = dt.timedelta(hours=int(terminal.settings["sync.stale_after_h"]))
    if oldest is None or now - oldest > limit or any(error_kind_of(s["error_kind"]) in DISTRUST for s in failing):
        return DataStatus("stale", last, error_kind, error)
    if failing:
        return DataStatus("offline", last, error_kind, error)
    return DataStatus("fresh", last)
