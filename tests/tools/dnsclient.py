#!/usr/bin/env python3
"""dnsclient.py SERVER NAME[,NAME...] PORT ADDR... - in ONE process, on ONE
UDP socket: for each NAME in turn send one A query to SERVER:53 and read
every reply that comes within 1 s (the first with our id and question is
"the answer"; printed as "answer IP" or "answer none"); then TCP-connect
to each ADDR:PORT (0.7 s timeout) and print "ADDR ok" or "ADDR fail".
Exit 0."""
import random
import socket
import struct
import sys
import time

server, name, port, addrs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def ask(one):
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in one.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s.sendto(q, (server, 53))
    answer = "none"
    end = time.time() + 1.0
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            msg, _ = s.recvfrom(2048)
        except socket.timeout:
            break
        rid, = struct.unpack("!H", msg[:2])
        if rid == qid and answer == "none" and msg[12:len(q)] == q[12:]:
            answer = socket.inet_ntoa(msg[-4:])
    print("answer", answer, flush=True)


for one in name.split(","):
    ask(one)
for a in addrs:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(0.7)
    try:
        c.connect((a, port))
        print(a, "ok", flush=True)
    except OSError:
        print(a, "fail", flush=True)
    c.close()
