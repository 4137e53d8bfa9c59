"""Fixtures for printing tests: one private cupsd per session, fresh simulated printers per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.printing.cups_server import CupsServer, DBusBus, PdfQueue, SimPrinter, missing_binaries, remove_stale_confs


@pytest.fixture(scope="session")
def cups_server() -> Iterator[CupsServer]:
    missing = missing_binaries()
    if missing:
        pytest.skip(f"CUPS test servers need: {', '.join(missing)} (Debian: cups cups-client cups-bsd cups-ipp-utils printer-driver-cups-pdf dbus)")
    remove_stale_confs()
    server = CupsServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pdf_queue(cups_server: CupsServer) -> PdfQueue:
    """A cups-pdf queue shared by the session; tests find their output by job id."""
    return cups_server.add_pdf_queue("kiosk-pdf")


@pytest.fixture(scope="session")
def dbus_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DBusBus]:
    bus = DBusBus.start(tmp_path_factory.mktemp("dbus"))
    try:
        yield bus
    finally:
        bus.stop()


@pytest.fixture
def sim_printer(cups_server: CupsServer, dbus_bus: DBusBus, tmp_path: Path) -> Iterator[SimPrinter]:
    """A fresh ippeveprinter per test: its trays and held jobs must not leak between tests."""
    printer = SimPrinter.start(tmp_path, dbus_bus)
    try:
        yield printer
    finally:
        printer.stop()


@pytest.fixture
def ipp_queue(cups_server: CupsServer, sim_printer: SimPrinter) -> Iterator[str]:
    """A CUPS queue for this test's simulated printer, removed afterwards."""
    name = cups_server.add_ipp_queue(f"kiosk-ipp-{uuid.uuid4().hex[:6]}", sim_printer)
    try:
        yield name
    finally:
        cups_server.remove_queue(name)
