"""``kiosk print``: the same printouts as the screens, for scripts, staff and tests.

Limits for walk-up users do not apply here (this is a staff tool), but every job that reaches a
printer is counted in the usage log like one from the screen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from kiosk.browse import PaymentFilter
from kiosk.files import write_atomic
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from printing.backend import PrinterBackend, PrinterError
from printing.backends import printer_for
from printing.pdf import RenderedPdf
from printing.render import PrintContext, PrintSubject

EXIT_OK, EXIT_NOT_FOUND, EXIT_BAD_INPUT, EXIT_PRINTER = 0, 1, 2, 4


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("print", parents=[common], help="print a record (or a village's payment list), or save it as PDF")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("id", nargs="?", help="the record to print")
    what.add_argument("--payments", metavar="VILLAGE", help="a village's subsidy payment list (12-digit region code)")
    p.add_argument("--policy", help="with --payments: only this subsidy policy id")
    p.add_argument("--year", type=int, help="with --payments: only this year")
    p.add_argument("--name", help="with --payments: only names containing these characters in order")
    p.add_argument("--receipt", type=int, choices=[80, 58], help="a receipt slip for a roll this many mm wide, instead of A4")
    p.add_argument("--interpretation", action="store_true", help="append a document's 政策解读")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--to-file", type=Path, metavar="PATH", help="save the PDF here instead of printing")
    out.add_argument("--printer", metavar="QUEUE", help="print on this CUPS queue (default: the terminal's printing settings)")
    p.set_defaults(handler=cmd_print)


def _save(pdf: RenderedPdf, path: Path) -> None:
    """The whole PDF or nothing at ``path``, fsync-ed before it is renamed into place (kiosk/files.py)."""
    write_atomic(path, pdf.data)


def _printer(args: argparse.Namespace, terminal: Terminal, layout: str) -> PrinterBackend | None:
    if args.printer:
        from printing.cups import CupsBackend

        return CupsBackend(args.printer, server=terminal.settings["printing.cups_server"] or None)
    return printer_for(terminal.settings, terminal.data_dir, layout)


def cmd_print(args: argparse.Namespace, terminal: Terminal) -> int:
    subject = PrintSubject(record_id=args.id or "", village=args.payments or "",
                           filters=PaymentFilter(name=args.name, policy_id=args.policy, year=args.year) if args.payments else None)
    layout = "receipt" if args.receipt else "a4"
    # NothingToPrint (exit 1) and NoPrintFont (exit 4) are KioskErrors: app/main.py reports them.
    context = PrintContext.of(terminal)
    pdf = subject.slip(context, args.receipt) if args.receipt else subject.render(context, with_interpretation=args.interpretation)
    report = {"title": pdf.title, "pages": pdf.pages, "media": pdf.media.cups_media(), "landscape": pdf.landscape}
    if args.to_file:
        _save(pdf, args.to_file)
        report |= {"path": str(args.to_file), "bytes": len(pdf.data)}
    else:
        printer = _printer(args, terminal, layout)
        if printer is None:
            sys.stderr.write(f"printing is off for {layout} on this terminal (printing.backend / printing.receipt_queue); use --to-file\n")
            return EXIT_PRINTER
        # opened first: a usage log that cannot be opened (a newer app's, say) refuses the job rather than let it go uncounted
        usage = UsageLog(terminal.data_dir / "usage.sqlite", clock=terminal.clock)
        try:
            with tempfile.TemporaryDirectory(prefix="kiosk-print-") as folder:
                path = Path(folder) / "job.pdf"
                path.write_bytes(pdf.data)
                try:
                    result = printer.print_pdf(path, pdf.media, pdf.title, float(terminal.settings["printing.job_timeout_s"]))
                except PrinterError as error:
                    result = None
                    failure = f"{error.status.message_zh} ({error})"
            if result is not None and not result.done:
                failure = f"{result.status.message_zh or 'job did not finish'} (job {result.job_id}: {result.state} {result.detail})"
            usage.record_print(context.now, subject.log_id, layout, pdf.pages, "printed" if result is not None and result.done else "failed")
        finally:
            usage.close()
        if result is None or not result.done:
            sys.stderr.write(f"printing failed: {failure}\n")
            return EXIT_PRINTER
        report |= {"printer": printer.name, "job": result.job_id, "state": result.state}
    if args.json:
        import json

        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        where = report.get("path") or f"{report['printer']} job {report['job']} ({report['state']})"
        sys.stdout.write(f"{pdf.title}: {pdf.pages} page(s), {report['media']} → {where}\n")
    return EXIT_OK


