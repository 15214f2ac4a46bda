#!/usr/bin/env python3
"""acceptcount ADDR PORT OUTFILE: accept TCP connections and write the
running count of accepted connections to OUTFILE (after "ready" on stdout)."""
import socket
import sys

addr, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(1024)
n = 0
with open(out, "w") as f:
    f.write("0\n")
print("ready", flush=True)
while True:
    c, _ = s.accept()
    n += 1
    c.close()
    with open(out, "w") as f:
        f.write("%d\n" % n)
