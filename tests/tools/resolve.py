#!/usr/bin/env python3
"""resolve.py SERVER NAME [PORT] - send one A query to SERVER:53, print the
address.  With PORT, also TCP-connect to it from this same process (the
one that asked, so tattled binds the name to it); exit 2 if that fails."""
import random
import socket
import struct
import sys

server, name = sys.argv[1], sys.argv[2]
qid = random.randrange(65536)
q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, (server, 53))
msg, _ = s.recvfrom(2048)
ans = struct.unpack("!H", msg[6:8])[0]
off = len(q)
for _ in range(ans):
    while msg[off] and msg[off] < 0xc0:
        off += msg[off] + 1
    off += 2 if msg[off] >= 0xc0 else 1
    rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
    off += 10
    if rtype == 1:
        ip = socket.inet_ntoa(msg[off:off + 4])
        print(ip, flush=True)
        if len(sys.argv) > 3:
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.settimeout(0.7)
            try:
                c.connect((ip, int(sys.argv[3])))
            except OSError:
                sys.exit(2)
        sys.exit(0)
    off += rdlen
sys.exit(1)
