#!/usr/bin/env python3
"""hostile.py - misbehaving clients of tattled's unix socket (fault tests).

usage: hostile.py SOCK MODE [ARG]
  idle N      open N connections and send nothing; prints "held H refused R"
              (refused = got a line and EOF at once, i.e. "busy"), then
              holds them until SIGTERM/SIGINT
  garbage S   for S seconds: connect, send garbage lines until closed;
              prints "conns C lines L closed K busy B"
  bigline MB  one MB-mebibyte line with no newline until the end, then a
              stats request; prints "bigline <first error code> <stats ok>"
              and then holds the connection until SIGTERM
  noreader    subscribe to every event with a tiny receive buffer and never
              read; prints "subscribed", holds until SIGTERM
Exit 0 unless the socket cannot be reached at all."""
import json
import os
import select
import signal
import socket
import sys
import time


def conn(path, rcvbuf=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(path)
    return s


def hold():
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sys.stdout.flush()
    while True:
        signal.pause()


def idle(path, n):
    held, refused = [], 0
    for _ in range(n):
        try:
            s = conn(path)
        except OSError:
            refused += 1
            continue
        held.append(s)
    time.sleep(0.3)
    keep = []
    for s in held:
        r, _, _ = select.select([s], [], [], 0)
        if r and (not s.recv(4096, socket.MSG_DONTWAIT) or True):
            # readable before we asked anything: "busy" then EOF
            refused += 1
            s.close()
        else:
            keep.append(s)
    print("held %d refused %d" % (len(keep), refused), flush=True)
    hold()


GARBAGE = [b"\x00\x01\x02\xff\xfe\n", b"not json at all\n", b"{\"cmd\":\n",
           b"[1,2,3]\n", b"{\"id\":\"x\",\"cmd\":\"stats\"}\n",
           b"{\"cmd\":\"no-such-command\"}\n", b"{{{{{{{{{{{{{{{{{{{{\n",
           b"\"\\ud800\"\n", b"{\"id\":1,\"cmd\":\"stats\",\"args\":[]}\n"]


def garbage(path, secs):
    end = time.time() + secs
    conns = lines = closed = busy = 0
    while time.time() < end:
        try:
            s = conn(path)
        except OSError:
            time.sleep(0.01)
            continue
        conns += 1
        s.settimeout(1)
        try:
            i = 0
            while time.time() < end:
                s.sendall(GARBAGE[i % len(GARBAGE)])
                lines += 1
                i += 1
                while True:
                    r, _, _ = select.select([s], [], [], 0)
                    if not r:
                        break
                    d = s.recv(65536)
                    if not d:
                        raise ConnectionResetError
                    if b'"busy"' in d:
                        busy += 1
        except (ConnectionResetError, BrokenPipeError, socket.timeout, OSError):
            closed += 1
        s.close()
        time.sleep(0.005)  # churn, not a CPU hog: the test is about blocking
    print("conns %d lines %d closed %d busy %d" % (conns, lines, closed, busy),
          flush=True)


def bigline(path, mb):
    s = conn(path)
    chunk = b"A" * 65536
    for _ in range(mb * 16):
        s.sendall(chunk)
    s.sendall(b"\n" + b'{"id":7,"cmd":"stats"}\n')
    s.settimeout(10)
    f = s.makefile("rb")
    first, ok = None, False
    for line in f:
        o = json.loads(line)
        if "type" in o:
            continue
        if first is None and not o.get("ok"):
            first = o["error"]["code"]
            continue
        if o.get("id") == 7:
            ok = bool(o.get("ok"))
            break
    print("bigline %s %s" % (first, "ok" if ok else "fail"), flush=True)
    hold()


def noreader(path):
    s = conn(path, rcvbuf=4096)
    s.sendall(b'{"id":1,"cmd":"subscribe"}\n')
    print("subscribed", flush=True)
    hold()


def main():
    path, mode = sys.argv[1], sys.argv[2]
    arg = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    {"idle": lambda: idle(path, arg), "garbage": lambda: garbage(path, arg),
     "bigline": lambda: bigline(path, arg),
     "noreader": lambda: noreader(path)}[mode]()


if __name__ == "__main__":
    main()
