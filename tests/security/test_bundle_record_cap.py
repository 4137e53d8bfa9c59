"""Issue 12, item 7: a bundle is capped in records, and read as a stream in bounded memory.

Before, the only cap was on bytes: a signed 6 MB download holding 2,000,000 tiny records was
decompressed whole, split into a list of lines, parsed into a list of two million dicts, and only
then found wanting — 2.5 GB and 76 s in the kiosk process, enough for the screen to be
OOM-killed. Now ``sync.feed.BundleReader`` streams the decompressed lines, counts records as
they arrive and refuses the first one beyond what the header (and the signed catalog) promised;
no bundle may promise more than ``MAX_BUNDLE_RECORDS``, and a catalog that does is refused before
its bundle is downloaded. The sync runs in a child process here so that its peak memory
(``VmHWM``, its own: ``ru_maxrss`` would include the forking pytest's peak) can be asserted: a resource bound, not a timing.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.clock import running_from
from kiosk.terminal import Terminal
from sync.feed import BUNDLE_FORMAT, MAX_BUNDLE_RECORDS, BundleReader, FeedFormatError
from tests.helpers.clock import TEST_NOW
from tests.helpers.paths import ROOT
from tests.sync import conftest as sync_fixtures
from tests.sync.feed_support import FeedFixture, republish_snapshot, store_dump, sync
from tests.sync.nginx import NginxServer

nginx_root, nginx = sync_fixtures.nginx_root, sync_fixtures.nginx  # a real nginx serving the feed at /feed/
feed, terminal = sync_fixtures.feed, sync_fixtures.terminal  # a signed feed in it, a fresh terminal

COUNTY = "990121000000"
TINY = b'{"region":"990121000000"}\n'  # passes the bundle's own shape check; 26 bytes
FLOOD = 2_000_000
MAX_RSS_MB = 400

CHILD = r"""
import json, sys
from pathlib import Path
from kiosk.clock import running_from
from kiosk.terminal import Terminal
from sync.client import FeedSync
from tests.helpers.clock import TEST_NOW
data_dir, url, root = sys.argv[1:4]
with Terminal(Path(data_dir), running_from(TEST_NOW)) as terminal:
    report = FeedSync(terminal, url, anchor=Path(root).read_bytes()).run()
    rows = terminal.store.sql("SELECT record_id, version, deleted FROM record ORDER BY record_id")
# VmHWM, not ru_maxrss: Linux carries the high-water mark of the mm replaced at exec into ru_maxrss,
# and subprocess forks (vforks) pytest, so ru_maxrss reported pytest's own peak (769 MB in a full run).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"report": report.as_dict(), "rows": rows, "maxrss_kb": peak_kb}))
"""




def _flood(generation: int, promised: int, lines: int = FLOOD) -> bytes:
    header = {"format": BUNDLE_FORMAT, "channel": COUNTY, "generation": generation, "base": None, "records": promised}
    return json.dumps(header, sort_keys=True).encode() + b"\n" + TINY * lines


def _child_sync(data_dir: Path, url: str, feed: FeedFixture, tmp_path: Path) -> dict:
    root = tmp_path / "root.json"
    root.write_bytes(feed.root)
    done = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), url, str(root)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("promised", [10, FLOOD], ids=["header-promises-10", "header-promises-2M"])
def test_two_million_tiny_records_are_refused_in_bounded_memory(
    terminal: Terminal, feed: FeedFixture, nginx: NginxServer, tmp_path: Path, promised: int
) -> None:
    url = nginx.base_url + "/"
    assert sync(terminal, url, feed).status == "updated"
    before = store_dump(terminal)
    generation = terminal.store.channel_states()[COUNTY]["generation"]
    terminal.close()
    raw = _flood(generation + 1, promised)
    assert len(gzip.compress(raw, 6)) < 1 << 20 and len(raw) < 256 << 20  # well under the byte caps (sync.max_bundle_mb)
    republish_snapshot(feed, COUNTY, raw=raw, header_records=promised, generation=generation + 1)

    result = _child_sync(terminal.data_dir, url, feed, tmp_path)

    county = next(c for c in result["report"]["channels"] if c["channel"] == COUNTY)
    assert county["status"] == "failed" and county["error_kind"] == "format", county
    assert result["maxrss_kb"] < MAX_RSS_MB * 1024, f"the kiosk process peaked at {result['maxrss_kb'] // 1024} MB"
    expected = "beyond the 10 its header promises" if promised == 10 else f"more than the {MAX_BUNDLE_RECORDS} a bundle may hold"
    assert expected in county["error"], county["error"]
    with Terminal(terminal.data_dir, running_from(TEST_NOW)) as after:
        assert store_dump(after) == before  # the store is unchanged
        assert after.store.channel_states()[COUNTY]["generation"] == generation


def test_the_reader_stops_at_the_first_record_too_many() -> None:
    raw = _flood(3, 10)
    data = gzip.compress(raw, 6)
    reader = BundleReader(data, max_bytes=len(raw), channel=COUNTY, generation=3, base=None)
    seen = 0
    with pytest.raises(FeedFormatError, match=r"line 12 is a record beyond the 10 its header promises"):
        for _record in reader:
            seen += 1
    assert seen == 10
    with pytest.raises(FeedFormatError, match=f"more than the {MAX_BUNDLE_RECORDS}"):
        BundleReader(gzip.compress(_flood(3, FLOOD, lines=1), 6), max_bytes=len(raw), channel=COUNTY, generation=3, base=None)
    with pytest.raises(FeedFormatError, match="header promises 10 records, the signed catalog 11"):
        BundleReader(data, max_bytes=len(raw), channel=COUNTY, generation=3, base=None, expected_records=10 + 1)


def test_a_line_without_end_is_refused_at_the_line_cap() -> None:
    from sync.feed import MAX_LINE_BYTES

    header = {"format": BUNDLE_FORMAT, "channel": COUNTY, "generation": 3, "base": None, "records": 1}
    raw = json.dumps(header).encode() + b'\n{"region":"990121000000","x":"' + b"a" * (MAX_LINE_BYTES + 10) + b'"}\n'
    reader = BundleReader(gzip.compress(raw, 1), max_bytes=len(raw), channel=COUNTY, generation=3, base=None)
    with pytest.raises(FeedFormatError, match="a bundle line is longer than 16 MiB"):
        list(reader)
