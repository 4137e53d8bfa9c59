"""`kiosk-publish`: create a feed, publish content into it, keep its signatures fresh, rotate keys."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.records.validate import BatchRejected
from sync.publish.build import Publisher
from sync.publish.keys import ROLES, KeyDir, KeyFileError
from sync.publish.repo import FeedRepo, RepoError, root_fingerprint

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "templates"
EXIT_OK, EXIT_BAD_INPUT, EXIT_FAILED = 0, 2, 3


class KeyLocationError(KioskError, ValueError):
    """The key folder would be published: it lies inside the feed (or the feed inside it)."""


def _keys_for(args: argparse.Namespace) -> KeyDir:
    """The key folder, never one the feed's web server could serve (issue 12, docs/SECURITY.md item 18)."""
    feed = Path(args.feed).resolve()
    keys = Path(args.keys).resolve() if args.keys else feed.parent / f"{feed.name}-keys"
    if keys.is_relative_to(feed) or feed.is_relative_to(keys):
        raise KeyLocationError(f"--keys must be outside the feed folder {feed}, so a web server serving the feed can't serve "
                               f"the private keys (found {keys}, which is inside it or contains it)")
    return KeyDir(keys)


def _say(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    sys.stdout.write((json.dumps(data, ensure_ascii=False, indent=2) if args.json else text) + "\n")


def cmd_init(args: argparse.Namespace) -> int:
    keys = _keys_for(args)
    repo = FeedRepo(Path(args.feed), keys)
    repo.init(dt.datetime.now(dt.UTC))
    root = (repo.metadata_dir / "1.root.json").read_bytes()
    data = {"feed": str(args.feed), "keys": str(keys.path), "root_fingerprint": root_fingerprint(root)}
    _say(args, data, (
        f"created a feed repository in {args.feed}\n"
        f"keys in {keys.path} — move root.pem and targets.pem offline after publishing (see docs/PROTOCOL.md)\n"
        f"trust anchor for terminals: {repo.metadata_dir / '1.root.json'} (fingerprint {data['root_fingerprint']})"
    ))
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    publisher = Publisher(FeedRepo(Path(args.feed), _keys_for(args)))
    report = publisher.build(Path(args.source))
    lines = [f"targets version {report.targets_version}; {report.blobs_added} new attachment(s)"]
    for channel in report.channels:
        what = f"generation {channel.generation} ({channel.changed} changed)" if channel.new_generation else f"unchanged at generation {channel.generation}"
        lines.append(f"  channel {channel.channel}: {channel.records} records, {what}")
    _say(args, report.as_dict(), "\n".join(lines))
    return EXIT_OK


def cmd_resign(args: argparse.Namespace) -> int:
    expiries = FeedRepo(Path(args.feed), _keys_for(args)).resign_timestamp(dt.datetime.now(dt.UTC))
    _say(args, expiries, "re-signed; expiry: " + ", ".join(f"{role} {when}" for role, when in expiries.items()))
    return EXIT_OK


def cmd_rotate(args: argparse.Namespace) -> int:
    version = FeedRepo(Path(args.feed), _keys_for(args)).rotate(args.role, dt.datetime.now(dt.UTC))
    _say(args, {"role": args.role, "root_version": version},
         f"new {args.role} key; root version {version} published (terminals follow it on their next sync)")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    repo = FeedRepo(Path(args.feed), _keys_for(args))
    state = Publisher(repo).load_state()
    data = {"expires": repo.expiries(), "channels": {c: i["generation"] for c, i in state["channels"].items()}}
    lines = [f"{role:<9} expires {when}" for role, when in data["expires"].items()]
    lines += [f"channel {channel}: generation {generation}" for channel, generation in sorted(data["channels"].items())]
    _say(args, data, "\n".join(lines))
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    target = Path(args.folder)
    target.mkdir(parents=True, exist_ok=True)
    copied = [shutil.copy2(path, target / path.name) for path in sorted(TEMPLATES.glob("*.xlsx"))]
    _say(args, {"copied": [str(p) for p in copied]}, "\n".join(f"wrote {p}" for p in copied))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--keys", help="key folder (default: <FEED>-keys beside the feed; never inside it)")
    common.add_argument("--json", action="store_true", help="print data as JSON")
    parser = argparse.ArgumentParser(prog="kiosk-publish", description="Publish county content as a signed feed for kiosks.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", parents=[common], help="create a feed repository and its keys")
    p.add_argument("feed")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("build", parents=[common], help="validate SOURCE and publish the next generation into FEED")
    p.add_argument("source")
    p.add_argument("feed")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("resign-timestamp", parents=[common], help="fresh timestamp signature (run daily from cron)")
    p.add_argument("feed")
    p.set_defaults(handler=cmd_resign)

    p = sub.add_parser("rotate-key", parents=[common], help="replace one role's key (a new root version)")
    p.add_argument("feed")
    p.add_argument("--role", choices=ROLES, required=True)
    p.set_defaults(handler=cmd_rotate)

    p = sub.add_parser("status", parents=[common], help="generations per channel and signature expiry")
    p.add_argument("feed")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("templates", parents=[common], help="copy the Excel templates (ledgers, payment lists) to FOLDER")
    p.add_argument("folder")
    p.set_defaults(handler=cmd_templates)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BatchRejected as exc:
        sys.stderr.write(f"nothing was published.\n{exc}\n")
        return EXIT_BAD_INPUT
    except KeyLocationError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except (FileNotFoundError, RepoError, KeyFileError) as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
