#!/usr/bin/env python3
"""dnsd.py ADDR NAME=IP... - a tiny authoritative DNS responder for tests.

Answers A queries for the given names (and CNAME alias=@target when the
value starts with '@'), NXDOMAIN otherwise.  Runs until killed."""
import socket
import struct
import sys


def qname(msg, off):
    labels = []
    while msg[off]:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += n + 1
    return ".".join(labels), off + 1


def encode(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def answer(msg, table):
    qid, = struct.unpack("!H", msg[:2])
    name, end = qname(msg, 12)
    question = msg[12:end + 4]
    records = []
    seen = 0
    while name in table and seen < 8:
        seen += 1
        val = table[name]
        if val.startswith("@"):
            records.append(encode(name) + struct.pack("!HHIH", 5, 1, 300,
                           len(encode(val[1:]))) + encode(val[1:]))
            name = val[1:]
            continue
        records.append(encode(name) + struct.pack("!HHIH", 1, 1, 300, 4) +
                       socket.inet_aton(val))
        break
    rcode = 0 if records else 3
    head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(records), 0, 0)
    return head + question + b"".join(records)


def main():
    addr = sys.argv[1]
    table = dict(a.split("=", 1) for a in sys.argv[2:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    print("ready", flush=True)
    while True:
        msg, peer = s.recvfrom(2048)
        try:
            s.sendto(answer(msg, table), peer)
        except (IndexError, UnicodeDecodeError, struct.error):
            pass


if __name__ == "__main__":
    main()
