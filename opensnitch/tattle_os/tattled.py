"""A client of tattled's unix socket (proto/PROTOCOL.md): newline JSON,
requests answered in order by id, events in between.  A reader thread
hands events to a callback and replies to the waiting caller."""
import json
import socket
import threading

LINE_MAX = 1 << 20      # replies are at most 262144 bytes; room to spare


class TattledError(Exception):
    """An error reply ({"ok":false}); .code is tattled's error code."""

    def __init__(self, code, message):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


class Closed(Exception):
    """The connection to tattled is gone."""


class Conn:
    def __init__(self, path, on_event, name="tattled"):
        self._path = path
        self._on_event = on_event
        self._lock = threading.Lock()       # writes and the waiters table
        self._waiters = {}
        self._next_id = 1
        self._closed = threading.Event()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(path)
        except OSError:
            self._sock.close()
            raise
        self._reader = threading.Thread(target=self._read, name=name,
                                        daemon=True)
        self._reader.start()

    @property
    def closed(self):
        return self._closed.is_set()

    def close(self):
        if self._closed.is_set():
            return
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._reader.join(5)
        self._sock.close()

    def _fail_waiters(self):
        with self._lock:
            self._closed.set()
            for w in self._waiters.values():
                w["done"].set()
            self._waiters.clear()

    def _read(self):
        buf = b""
        try:
            while True:
                chunk = self._sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._line(line)
                if len(buf) > LINE_MAX:
                    break
        except OSError:
            pass
        finally:
            self._fail_waiters()
            try:
                self._on_event(None)        # tells the owner we are gone
            except Exception:               # noqa: BLE001 - owner's bug
                pass

    def _line(self, line):
        try:
            msg = json.loads(line)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        if "ok" in msg:
            with self._lock:
                w = self._waiters.pop(msg.get("id"), None)
            if w:
                w["reply"] = msg
                w["done"].set()
            return
        if "type" in msg:
            self._on_event(msg)

    def call(self, cmd, args=None, timeout=10.0):
        """Send one request; its result, or TattledError, or Closed."""
        w = {"done": threading.Event(), "reply": None}
        with self._lock:
            if self._closed.is_set():
                raise Closed("tattled connection closed")
            rid = self._next_id
            self._next_id += 1
            self._waiters[rid] = w
            req = {"id": rid, "cmd": cmd}
            if args is not None:
                req["args"] = args
            try:
                self._sock.sendall(json.dumps(req).encode() + b"\n")
            except OSError as e:
                self._waiters.pop(rid, None)
                raise Closed("tattled: %s" % e) from e
        if not w["done"].wait(timeout):
            with self._lock:
                self._waiters.pop(rid, None)
            raise Closed("tattled did not answer %s in %.0f s" % (cmd, timeout))
        reply = w["reply"]
        if reply is None:
            raise Closed("tattled connection closed")
        if not reply.get("ok"):
            err = reply.get("error") or {}
            raise TattledError(err.get("code", "?"), err.get("message", ""))
        return reply.get("result")
