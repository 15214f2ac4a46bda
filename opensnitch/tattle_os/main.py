"""tattle-opensnitch's command line."""
import getopt
import signal
import sys
import time

USAGE = """usage: tattle-opensnitch [--socket PATH] [--address ADDR]
Connect tattled to the OpenSnitch desktop GUI (opensnitch-ui 1.5, gRPC UI
protocol): the GUI shows tattled's node, connections and rules, its pop-ups
answer tattled's prompts and its rules editor changes tattled's rules.
Reconnects when either side restarts; while no GUI is there tattled is not
asked to hold connections (its default action applies).
  --socket PATH    tattled's socket (default /run/tattle/tattle.sock)
  --address ADDR   the GUI's gRPC address, as opensnitch-ui --socket
                   (default unix:///tmp/osui.sock; also host:port)
  --version, --help
exit: 0 on SIGINT/SIGTERM, 2 usage
"""


def _log(msg):
    sys.stderr.write("%s tattle-opensnitch: %s\n" %
                     (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def main(argv, version):
    sock, address = "/run/tattle/tattle.sock", "unix:///tmp/osui.sock"
    try:
        opts, rest = getopt.getopt(argv, "h", ["socket=", "address=",
                                               "help", "version"])
    except getopt.GetoptError as e:
        sys.stderr.write("tattle-opensnitch: %s\n%s" % (e, USAGE))
        return 2
    for o, v in opts:
        if o == "--socket":
            sock = v
        elif o == "--address":
            address = v
        elif o in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        elif o == "--version":
            print("tattle-opensnitch %s (OpenSnitch UI protocol 1.5)" % version)
            return 0
    if rest or not sock or not address:
        sys.stderr.write(USAGE)
        return 2
    import ui_pb2
    import ui_pb2_grpc
    from .bridge import Bridge
    b = Bridge(ui_pb2, ui_pb2_grpc, sock, address, version, _log)

    def on_signal(_sig, _frame):
        b.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _log("tattled %s <-> GUI %s" % (sock, address))
    b.run()
    _log("exit")
    return 0
