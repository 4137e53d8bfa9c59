"""One way to run one-shot work off the GUI thread: ``Tasks.run(fn, on_done, on_error)``.

Modelled on anki's ``TaskManager`` (qt/aqt/taskman.py): the work runs on a small thread pool, and its
result comes back on the GUI thread through one queued signal, so ``on_done`` may touch widgets. A
failure is reported one way: logged with its traceback, then handed to ``on_error`` when there is one,
so a broken preview or warm-up can never pass silently or raise into a Qt slot. Before this, each
caller started its own ``threading.Thread`` and marshalled (or forgot to marshal) its result itself.

Long-lived workers (the print queue, the speech worker, the sync scheduler) are not tasks: they have
``start()``/``stop()`` and ``MainWindow.shutdown()`` stops them. ``Tasks`` has the same ``stop()``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)
T = TypeVar("T")

POOL_THREADS = 2  # a preview and the keyboard's warm-up may overlap; more would only compete for one CPU
THREAD_PREFIX = "task"
STOP_TIMEOUT_S = 5.0


class Worker(Protocol):
    """The shape of every long-lived worker: nothing runs before ``start()``; ``stop()`` ends it, is safe twice and never raises."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Tasks(QObject):
    """Runs functions on a pool and calls back on the thread this object lives in (the GUI thread)."""

    _finished = Signal(object)  # a callable to run on the GUI thread, emitted from a pool thread (a queued connection)

    def __init__(self, parent: QObject | None = None, *, threads: int = POOL_THREADS) -> None:
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix=THREAD_PREFIX)
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._lock = threading.Lock()  # _pending is emptied from the pool's threads
        self._stopped = False
        self._finished.connect(self._deliver)

    def run(self, fn: Callable[[], T], on_done: Callable[[T], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, *, owner: QObject | None = None) -> None:
        """Run ``fn()`` off the GUI thread; then ``on_done(result)``, or ``on_error(exception)``, on the GUI thread.

        With ``owner``, nothing is called back once that widget has been destroyed (a preview closed while its
        pages were being made). After ``stop()`` new work is refused quietly: the window is going away.
        """
        if self._stopped:
            log.info("task %s not run: the tasks have stopped", getattr(fn, "__name__", fn))
            return

        def work() -> None:
            try:
                result = fn()
            except Exception as error:  # reported here in the log, and to on_error on the GUI thread
                log.error("background task %s failed", getattr(fn, "__name__", fn), exc_info=error)
                if on_error is not None:
                    self._emit(functools.partial(on_error, error), owner)
                return
            if on_done is not None:
                self._emit(functools.partial(on_done, result), owner)

        future = self._pool.submit(work)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _running(self) -> list[concurrent.futures.Future[Any]]:
        with self._lock:
            return [future for future in self._pending if not future.done()]

    def _emit(self, callback: Callable[[], None], owner: QObject | None) -> None:
        if self._stopped or not shiboken6.isValid(self):
            return
        with contextlib.suppress(RuntimeError):  # the Tasks object itself was destroyed meanwhile
            self._finished.emit((callback, owner))

    def _deliver(self, item: tuple[Callable[[], None], QObject | None]) -> None:
        callback, owner = item
        if self._stopped or (owner is not None and not shiboken6.isValid(owner)):
            return
        try:
            callback()
        except Exception:  # a slot must not raise into Qt's event loop
            log.exception("a task's callback failed")

    @property
    def busy(self) -> bool:
        return bool(self._running())

    def start(self) -> None:
        """Nothing to start: the pool's threads appear with the first task. Here for the common worker shape."""

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Drop work not yet begun, wait at most ``timeout_s`` for work in hand, and end the pool's threads.

        No callback runs after this. Work still busy after the timeout is left to end by itself.
        """
        self._stopped = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        _done, still = concurrent.futures.wait(self._running(), timeout=timeout_s)
        if still:
            log.warning("%d background task(s) still busy after %.0f s; left to end by themselves", len(still), timeout_s)
            return
        self._pool.shutdown(wait=True)  # every future is done: this only joins the idle threads


class SyncService(Worker, Protocol):
    """What the window needs of background sync (``app/background.py`` BackgroundSync): typed signals, and a nudge.

    ``synced`` carries a :class:`~kiosk.changes.ContentChanges`, ``percent`` an int; both arrive on the GUI thread.
    """

    synced: SignalInstance
    percent: SignalInstance

    def sync_now(self) -> None: ...
