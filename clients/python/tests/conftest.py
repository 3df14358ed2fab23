"""Test fixtures: real rope-servers (the repository's debug build) started on port 0 and stopped by the tests."""

from __future__ import annotations

import collections
import json
import os
import select
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from rope_client import RopeClient

REPOSITORY = Path(__file__).resolve().parents[3]
BINARY = Path(os.environ.get("ROPE_SERVER_BINARY", REPOSITORY / ".build" / "debug" / "rope-server"))
# Small enough that the 413 tests send little, large enough for every golden case and the test tensors.
MAX_BODY_BYTES = 1 << 20


class Server:
    """A rope-server process on 127.0.0.1 and a free port, its log lines drained in the background."""

    def __init__(self, *flags: str) -> None:
        if not BINARY.exists():
            raise RuntimeError(f"{BINARY} is missing: run `swift build` first (or set ROPE_SERVER_BINARY)")
        self.process = subprocess.Popen(
            [str(BINARY), "--host", "127.0.0.1", "--port", "0", "--openapi", str(REPOSITORY / "openapi.yaml"),
             *flags], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log: collections.deque = collections.deque(maxlen=200)
        self.port = self._read_port()
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._drain, daemon=True).start()

    def _read_port(self) -> int:
        deadline = time.monotonic() + 30
        assert self.process.stderr is not None
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stderr], [], [], 0.5)
            if ready:
                line = self.process.stderr.readline()
                if not line:
                    break
                self.log.append(line)
                entry = json.loads(line)
                if entry.get("event") == "listening":
                    return int(entry["port"])
        self.stop()
        raise RuntimeError(f"rope-server did not log its port: {list(self.log)}")

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _serve(*flags: str) -> Iterator[Server]:
    server = Server(*flags)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    yield from _serve("--max-body-bytes", str(MAX_BODY_BYTES))


@pytest.fixture(scope="session")
def keyed_server() -> Iterator[Server]:
    yield from _serve("--api-key", "sesame")


@pytest.fixture(scope="session")
def single_connection_server() -> Iterator[Server]:
    yield from _serve("--max-connections", "1")


@pytest.fixture()
def client(server: Server) -> Iterator[RopeClient]:
    with RopeClient(server.url, timeout=30) as rope:
        yield rope


def free_port() -> int:
    """A port nothing listens on (bound, read back, released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def golden_files() -> List[Path]:
    return sorted((REPOSITORY / "Tests" / "Golden").glob("*.json"))
