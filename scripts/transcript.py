"""Record a real evsh REPL session for docs/guide.md: runs the evsh binary on a
pseudo-terminal, types each line of a session file at the prompt (waiting for the prompt
before the next line, as a person would) and prints the screen text with terminal control
sequences removed.

Usage: python3 scripts/transcript.py EVSH_BINARY SESSION_FILE [WORKDIR]
"""
import os
import pty
import re
import select
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def read_until(fd, pats, timeout=120.0):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            text = buf.decode("utf-8", "replace")
            if any(text.endswith(p) for p in pats):
                return text
    return buf.decode("utf-8", "replace")


def main():
    exe, session = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        os.chdir(sys.argv[3])
    lines = [l.rstrip("\n") for l in open(session)]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["EVSH_HISTORY"] = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"evsh-transcript-{os.getpid()}")
        os.environ["TERM"] = "dumb"
        os.execv(exe, [exe])
    out = read_until(fd, ["evsh> "])
    transcript = ""
    for line in lines:
        os.write(fd, line.encode() + b"\r")
        out = read_until(fd, ["evsh> ", "  ... "])
        transcript += out
    os.write(fd, b"\x04")
    text = ANSI.sub("", "evsh> " + transcript)
    # rustyline redraws the prompt line; keep the last copy of repeated prompt lines
    cleaned = []
    for l in text.split("\n"):
        if cleaned and l.startswith("evsh> ") and cleaned[-1].startswith("evsh> ") and l.startswith(cleaned[-1]):
            cleaned[-1] = l
        else:
            cleaned.append(l)
    print("\n".join(cleaned).rstrip().removesuffix("evsh>").rstrip())


main()
