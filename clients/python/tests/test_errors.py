"""Every error kind surfaces as its typed exception with the server's status, error_type and message."""

from __future__ import annotations

import socket
import threading

import numpy as np
import pytest

import rope_client as rc
from conftest import MAX_BODY_BYTES, Server, free_port


def test_validation_error_names_the_field(client: rc.RopeClient) -> None:
    with pytest.raises(rc.RopeValidationError) as raised:
        client.rotate(np.ones((2, 3), np.float32))
    error = raised.value
    assert (error.status, error.error_type) == (422, "validation_error") and "head dimension" in error.message
    with pytest.raises(rc.RopeValidationError, match="layout"):
        client.frequencies(8, layout="zigzag")


def test_malformed_request(client: rc.RopeClient) -> None:
    with pytest.raises(rc.RopeMalformedRequestError) as raised:
        client.request("POST", "/rotate", body=b'{"embeddings": [[1, 2]', content_type="application/json")
    assert (raised.value.status, raised.value.error_type) == (400, "malformed_request")


def test_not_found_and_method_not_allowed(client: rc.RopeClient) -> None:
    with pytest.raises(rc.RopeNotFoundError) as missing:
        client.request("GET", "/rotation")
    assert (missing.value.status, missing.value.error_type) == (404, "not_found")
    with pytest.raises(rc.RopeMethodNotAllowedError) as wrong:
        client.request("GET", "/rotate")
    assert (wrong.value.status, wrong.value.error_type) == (405, "method_not_allowed")


def test_unsupported_media_type(client: rc.RopeClient) -> None:
    with pytest.raises(rc.RopeUnsupportedMediaTypeError) as raised:
        client.request("POST", "/rotate", body=b"1 2 3 4", content_type="text/plain")
    assert (raised.value.status, raised.value.error_type) == (415, "unsupported_media_type")


def test_payload_too_large_is_refused_before_the_body_is_read(client: rc.RopeClient) -> None:
    too_big = np.zeros((MAX_BODY_BYTES // 256 + 8, 64), np.float32)
    with pytest.raises(rc.RopePayloadTooLargeError) as raised:
        client.rotate(too_big)
    assert (raised.value.status, raised.value.error_type) == (413, "payload_too_large")
    assert client.health() == "ok"  # the client is still usable


def test_unauthorized_then_authorised(keyed_server: Server) -> None:
    with rc.RopeClient(keyed_server.url) as anonymous:
        assert anonymous.health() == "ok"  # /health needs no key
        with pytest.raises(rc.RopeUnauthorizedError) as raised:
            anonymous.info()
        assert (raised.value.status, raised.value.error_type) == (401, "unauthorized")
    with rc.RopeClient(keyed_server.url, api_key="sesame") as keyed:
        assert keyed.rotate(np.ones((1, 4), np.float32)).shape == (1, 4)


def test_overloaded_carries_retry_after_and_can_be_retried(single_connection_server: Server) -> None:
    holder = socket.create_connection(("127.0.0.1", single_connection_server.port))
    try:
        holder.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        holder.recv(4096)  # the one allowed connection is now open and idle
        with rc.RopeClient(single_connection_server.url) as impatient:
            with pytest.raises(rc.RopeOverloadedError) as raised:
                impatient.info()
        error = raised.value
        assert error.status == 503 and error.retry_after == 1 and error.error_type == "too_many_connections"
        release = threading.Timer(0.3, holder.close)
        release.start()
        with rc.RopeClient(single_connection_server.url, retries=3, max_retry_wait=0.5) as patient:
            assert patient.info()["name"] == "rope-server"
        release.join()
    finally:
        holder.close()


def test_connection_failures_are_not_server_errors() -> None:
    with rc.RopeClient(f"http://127.0.0.1:{free_port()}", timeout=5) as nowhere:
        with pytest.raises(rc.RopeConnectionError) as raised:
            nowhere.health()
    assert not isinstance(raised.value, rc.RopeServerError)


def test_unknown_keyword_is_refused_locally(client: rc.RopeClient) -> None:
    with pytest.raises(TypeError, match="rope_thetta"):
        client.rotate(np.ones((1, 4), np.float32), rope_thetta=5.0)
