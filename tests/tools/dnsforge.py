#!/usr/bin/env python3
"""dnsforge.py ADDR GENUINE_IP FORGED_IP... - a DNS responder that lies
before and after it tells the truth.  For each A query it sends, in order:
  1. a reply with the wrong transaction id: qname -> FORGED_IP[0]
  2. a reply with the right id but another question (other.<qname>):
     other.<qname> -> FORGED_IP[1]
  3. the genuine reply: qname -> GENUINE_IP
  4. a second reply with the right id and question: qname -> FORGED_IP[2]
All come from ADDR:53 to the asking socket, so conntrack passes them all
as ESTABLISHED.  Runs until killed."""
import socket
import struct
import sys

from dnsd import encode, qname  # the same wire format, one copy


def reply(qid, name, ip):
    question = encode(name) + struct.pack("!HH", 1, 1)
    rr = encode(name) + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton(ip)
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + rr


def main():
    addr, genuine, forged = sys.argv[1], sys.argv[2], sys.argv[3:6]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    print("ready", flush=True)
    while True:
        msg, peer = s.recvfrom(2048)
        try:
            qid, = struct.unpack("!H", msg[:2])
            name, _ = qname(msg, 12)
        except (IndexError, UnicodeDecodeError, struct.error):
            continue
        for m in (reply(qid ^ 0x5555, name, forged[0]),
                  reply(qid, "other." + name, forged[1]),
                  reply(qid, name, genuine),
                  reply(qid, name, forged[2])):
            s.sendto(m, peer)


main()
