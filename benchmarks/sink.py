"""The benchmark's SMTP server, in a process of its own so it never competes with the
process that measures for the interpreter lock.

It is the project's SMTP sink, told to keep nothing: for every accepted mail it
writes one line, ``<track id> <recipient> <monotonic seconds>``, to standard
output. The track id is the one in the ticket link the mail carries, which ties
the mail to its ticket, hence to its movement. ``time.monotonic()`` is the
system's monotonic clock, the same in every process on the machine, so the
benchmark compares it with its own publish times.

    python -m benchmarks.sink --port N
"""

from __future__ import annotations

import argparse
import binascii
import re
import signal
import sys
import threading
import time

from ticketstock.sandbox.smtp_sink import Received, SmtpSink

_TRACK_ID = re.compile(rb"track_id=([0-9A-Za-z]+)")
FLUSH_EVERY_S = 0.05


def linked_track_id(item: Received) -> str:
    """The track id in the mail's ticket link, or ``-``.

    Undoing quoted-printable over the whole message is one C call, far cheaper than
    parsing the MIME tree; parsing is the fallback for any other encoding.
    """
    match = _TRACK_ID.search(binascii.a2b_qp(item.data))
    if match is None:
        body = item.message().get_body(("plain",))
        text = body.get_content().encode() if body is not None else b""
        match = _TRACK_ID.search(text)
    return match[1].decode() if match else "-"


class TimingSink(SmtpSink):
    """Accepts every mail, keeps only when it arrived and which job it was."""

    def __init__(self, port: int) -> None:
        super().__init__(port=port)
        self._out_lock = threading.Lock()

    def keep(self, item: Received) -> None:
        stamp = time.monotonic()
        track = linked_track_id(item)
        with self._out_lock:
            for recipient in item.recipients:
                sys.stdout.write(f"{track} {recipient.lower()} {stamp:.6f}\n")


def _flush_forever(stop: threading.Event) -> None:
    while not stop.wait(FLUSH_EVERY_S):
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sink")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sink = TimingSink(args.port).start()
    sys.stdout.write(f"ready {sink.port}\n")
    sys.stdout.flush()
    try:
        _flush_forever(stop)
    finally:
        sink.stop()
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
