#!/usr/bin/env python3
"""rawudp.py - send UDP datagrams through a raw IPv4 socket (root), so the
packet has no UDP socket behind it: no sock_diag entry, no /proc fd, and
no connect/sendto audit record names it.  The firewall sees a real new
UDP flow that nothing can attribute.

usage: rawudp.py ADDR PORT [COUNT] [SPORT]
"""
import socket
import struct
import sys


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sport = int(sys.argv[4]) if len(sys.argv) > 4 else 40000
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    payload = b"tattle-raw"
    for i in range(count):
        # Checksum 0: none (allowed for UDP over IPv4).
        hdr = struct.pack("!HHHH", sport + i, port, 8 + len(payload), 0)
        s.sendto(hdr + payload, (addr, 0))
    print("sent %d" % count)


if __name__ == "__main__":
    main()
