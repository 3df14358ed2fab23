"""Keep-alive HTTP/1.1 connections in a small thread-safe pool, and one request/response exchange over them."""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import urlsplit

from ._errors import RopeConnectionError, server_error


_SLICE = 1 << 20
_SMALL = 64 << 10


class _Coalescing:
    """Connection behaviour: Nagle's algorithm off, and while `corked`, small writes (the request head, a .npy
    header, a small array) gathered into one send, so a request leaves in as few packets as possible; a large
    array is still sent from its own memory."""

    sock: socket.socket
    _gathered: Optional[List[bytes]] = None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def cork(self) -> None:
        if self.sock is None:
            self.connect()
        self._gathered = []

    def send(self, data: Any) -> None:
        if self._gathered is not None and memoryview(data).nbytes <= _SMALL:
            self._gathered.append(bytes(data))
            return
        self.uncork()
        super().send(data)  # type: ignore[misc]

    def uncork(self) -> None:
        gathered, self._gathered = self._gathered, None
        if gathered:
            super().send(b"".join(gathered))  # type: ignore[misc]


class _Connection(_Coalescing, http.client.HTTPConnection):
    """A plain HTTP connection (see `_Coalescing`)."""


class _TLSConnection(_Coalescing, http.client.HTTPSConnection):
    """An HTTPS connection (see `_Coalescing`)."""


@dataclass
class Reply:
    """A complete response: status, headers (lower-case names) and the body, read once into a mutable buffer."""

    status: int
    headers: Dict[str, str]
    body: bytearray

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class Pool:
    """Idle keep-alive connections to one server, shared by threads; at most `size` are kept."""

    def __init__(self, url: str, timeout: float, size: int) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host[:port][/prefix] or https://... (got {url!r})")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self._kind = _TLSConnection if parts.scheme == "https" else _Connection
        self.timeout = timeout
        self.size = size
        self._idle: List[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._kind(self.host, self.port, timeout=self.timeout), False

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Closes every idle connection (connections in use close when their request ends)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def exchange(self, method: str, target: str, headers: Dict[str, str], parts: Sequence[Any]) -> Reply:
        """Sends one request (the body as `parts`, written one after the other) and reads the whole response.

        A kept-alive connection the server has closed meanwhile is replaced once, transparently; any other failure
        is a `RopeConnectionError`."""
        for attempt in (0, 1):
            connection, reused = self._take()
            try:
                reply = self._send_and_read(connection, method, self.prefix + target, headers, parts)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                connection.close()
                if reused and attempt == 0:
                    continue
                raise RopeConnectionError(f"{method} {target}: the connection was closed: {error}") from error
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise RopeConnectionError(f"{method} {target}: {type(error).__name__}: {error}") from error
            if reply.headers.get("connection", "").lower() == "close":
                connection.close()
            else:
                self._give_back(connection)
            return reply
        raise AssertionError("unreachable")

    @staticmethod
    def _send_and_read(connection: http.client.HTTPConnection, method: str, target: str, headers: Dict[str, str],
                       parts: Sequence[Any]) -> Reply:
        connection.putrequest(method, target, skip_accept_encoding=True)
        length = sum(memoryview(part).nbytes for part in parts)
        if parts or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(length))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.cork()  # type: ignore[attr-defined]
        connection.endheaders()
        complete = False
        try:
            complete = all(_send_unless_answered(connection, part) for part in parts)
            connection.uncork()  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (a limit refusal) and closed before reading it all: read that answer
        response = connection.getresponse()
        size = response.getheader("Content-Length")
        if size is None:
            body = bytearray(response.read())
        else:
            body = bytearray(int(size))
            view = memoryview(body)
            filled = 0
            while filled < len(body):
                count = response.readinto(view[filled:])
                if not count:
                    raise http.client.IncompleteRead(bytes(view[:filled]), len(body) - filled)
                filled += count
            response.read()  # marks the response complete so the connection can carry the next request
        names = {name.lower(): value for name, value in response.getheaders()}
        if not complete:
            names["connection"] = "close"  # the rest of the body was never sent: this connection cannot go on
        return Reply(response.status, names, body)


def raise_for_status(reply: Reply) -> None:
    """Raises the typed exception of an error reply (status >= 400); returns for any other."""
    if reply.status < 400:
        return
    error_type, message = "", reply.body[:200].decode("utf-8", "replace")
    try:
        payload = reply.json()
        if isinstance(payload, dict):
            error_type = str(payload.get("error_type", ""))
            message = str(payload.get("error", message))
    except ValueError:
        pass
    retry_after: Optional[float] = None
    if "retry-after" in reply.headers:
        try:
            retry_after = float(reply.headers["retry-after"])
        except ValueError:
            retry_after = None
    raise server_error(reply.status, error_type, message, retry_after)


def wait_for_retry(seconds: Optional[float], limit: float) -> None:
    """Sleeps for a Retry-After of `seconds` (1 when the server gave none), at most `limit`."""
    time.sleep(min(seconds if seconds is not None else 1.0, limit))


def _send_unless_answered(connection: http.client.HTTPConnection, part: Any) -> bool:
    """Sends a body part, a large one in slices; stops early, returning False, when the server has already answered
    (it refuses a body over its limit from the Content-Length, and would reset the connection under a body it never
    reads)."""
    view = memoryview(part).cast("B")
    if view.nbytes <= _SLICE:
        connection.send(view)
        return True
    for start in range(0, view.nbytes, _SLICE):
        readable, _, _ = select.select([connection.sock], [], [], 0)
        if readable:
            return False
        connection.send(view[start:start + _SLICE])
    return True
