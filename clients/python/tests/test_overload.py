"""The memory budget's 503 `overloaded` through the client: typed, with Retry-After, and retried when asked to."""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest

import rope_client as rc
from conftest import Server, _serve

BUDGET = 16 << 20


def rotate_body(size: int) -> bytes:
    """A valid /rotate JSON body of exactly `size` bytes (rows of 64 ones, padded with spaces); 300,000 bytes
    reserve about 8 MB of a 16 MiB budget, so a second one does not fit while the first is in flight."""
    row = "[" + ",".join(["1"] * 64) + "]"
    rows = (size - 20) // (len(row) + 1)
    text = '{"embeddings":[' + ",".join([row] * rows) + "]}"
    return text.encode() + b" " * (size - len(text))


@pytest.fixture(scope="module")
def budget_server() -> Iterator[Server]:
    yield from _serve("--max-inflight-bytes", str(BUDGET), "--admission-wait-ms", "100")


def reserved_bytes(client: rc.RopeClient) -> int:
    metrics = client.request("GET", "/metrics")
    line = next(line for line in metrics.splitlines() if line.startswith("rope_memory_reserved_bytes "))
    return int(float(line.split()[1]))


def test_overloaded_is_typed_and_retried(budget_server: Server) -> None:
    body = rotate_body(300_000)
    head = (f"POST /rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    holder = socket.create_connection(("127.0.0.1", budget_server.port))
    with rc.RopeClient(budget_server.url) as impatient, rc.RopeClient(budget_server.url, retries=5,
                                                                      max_retry_wait=0.2) as patient:
        try:
            holder.sendall(head + body[: len(body) // 2])  # its worst case stays reserved until the rest arrives
            deadline = time.monotonic() + 10
            while reserved_bytes(impatient) < 7_000_000:
                assert time.monotonic() < deadline, "the holder's request was never admitted"
                time.sleep(0.01)
            with pytest.raises(rc.RopeOverloadedError) as raised:
                impatient.request("POST", "/rotate", body=body, content_type="application/json")
            error = raised.value
            assert (error.status, error.error_type, error.retry_after) == (503, "overloaded", 1.0)
            assert "max_inflight_bytes" in error.message
            finish = threading.Timer(0.3, holder.sendall, [body[len(body) // 2:]])
            finish.start()
            answer = patient.request("POST", "/rotate", body=body, content_type="application/json")
            finish.join()
            assert answer["shape"] == [len(answer["embeddings"]), 64]
        finally:
            holder.close()
