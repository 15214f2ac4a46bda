#!/usr/bin/env python3
"""resolve.py SERVER NAME - send one A query to SERVER:53, print the address."""
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
        print(socket.inet_ntoa(msg[off:off + 4]))
        sys.exit(0)
    off += rdlen
sys.exit(1)
