"""Every golden case of Tests/Golden through the client, judged by check_cases.py's own comparison and tolerances.

Success cases go through the typed methods (tensor cases both as a JSON and as a .npy request); error cases the
methods cannot express (raw bodies, other content types, unknown paths and methods) go through `RopeClient.request`,
and must raise the typed exception of the expected status."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import numpy as np
import pytest

import rope_client as rc
from conftest import MAX_BODY_BYTES, golden_files

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Tests" / "Golden"))
import check_cases  # noqa: E402

CASES = [(path.stem, json.loads(path.read_text())) for path in golden_files()]


def _query_value(text: str) -> Any:
    """A GET case's query-string text as the typed value a caller would pass (numbers, booleans), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _scores(array: np.ndarray) -> Any:
    return [_scores(row) for row in array] if array.ndim > 1 else [None if np.isneginf(v) else float(v) for v in array]


def _typed_call(client: rc.RopeClient, case: Dict[str, Any], transport: str) -> Dict[str, Any]:
    endpoint, request = case["endpoint"], dict(case.get("request") or {})
    if endpoint == "/rotate":
        result = client.rotate_result(request.pop("embeddings"), transport=transport, **request)
        answer = {"embeddings": result.embeddings.tolist(), "shape": list(result.embeddings.shape),
                  "attention_scaling": result.attention_scaling}
        if result.rope_applied is not None:
            answer["rope_applied"] = result.rope_applied
        return answer
    if endpoint == "/attention":
        scores = client.attention(request.pop("queries"), request.pop("keys"), transport=transport, **request)
        return {"scores": _scores(scores), "shape": list(scores.shape)}
    if case["method"] == "GET":
        request = {name: _query_value(text) for name, text in request.get("query", {}).items()}
    if endpoint == "/frequencies":
        return client.frequencies(**request).raw
    if endpoint == "/decay":
        curve = client.decay(**request)
        return {"distance": curve.distance.tolist(), "bound": curve.bound.tolist()}
    raise AssertionError(f"no typed method for {endpoint}")


def _raw_call(client: rc.RopeClient, case: Dict[str, Any]) -> Any:
    method, endpoint = case["method"], case["endpoint"]
    if "synthetic_body" in case:
        length, chunks = check_cases.synthetic_chunks(2 * MAX_BODY_BYTES, case["synthetic_body"].get("d", 1024))
        return client.request(method, endpoint, body=b"".join(chunks), content_type="application/json")
    if "raw_body" in case:
        return client.request(method, endpoint, body=case["raw_body"].encode(),
                              content_type=case.get("content_type", "application/json"))
    if "content_type" in case:
        return client.request(method, endpoint, body=json.dumps(case["request"]).encode(),
                              content_type=case["content_type"])
    if method == "GET":
        return client.request(method, endpoint, query=(case.get("request") or {}).get("query"))
    return client.request(method, endpoint, json=case.get("request"))


def _answer(call: Any) -> Tuple[int, Any]:
    try:
        return 200, call()
    except rc.RopeServerError as refusal:
        return refusal.status, {"error": refusal.message, "error_type": refusal.error_type}


# The method of each typed call: (endpoint, HTTP method) it stands for.
TYPED = {("/rotate", "POST"), ("/attention", "POST"), ("/frequencies", "GET"), ("/frequencies", "POST"),
         ("/decay", "GET")}


def _typed(case: Dict[str, Any]) -> bool:
    special = {"raw_body", "content_type", "synthetic_body"} & set(case)
    return (case["endpoint"], case["method"]) in TYPED and not special


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_golden_case(client: rc.RopeClient, name: str, case: Dict[str, Any]) -> None:
    failing = case.get("expected_status", 200) != 200
    if not _typed(case):
        status, body = _answer(lambda: _raw_call(client, case))
        assert not check_cases.check_response(case, status, body)
        return
    # Tensor cases both ways; error cases as JSON, whose field types (a string where a number belongs) a query
    # string cannot carry.
    transports = ["json", "npy"] if case["endpoint"] in ("/rotate", "/attention") and not failing else ["json"]
    for transport in transports:
        def call() -> Any:
            try:
                return _typed_call(client, case, transport)
            except (TypeError, ValueError, KeyError):
                if not failing:
                    raise
                # input the typed methods refuse locally (ragged or non-numeric tensors, unknown or missing fields):
                # sent as it is, the server must refuse it as the case says
                return _raw_call(client, case)
        status, body = _answer(call)
        judged = case
        if "rope_applied" in case["expected"] and "rope_applied" not in body:
            # `attention` returns the scores alone: the typed call is judged on the other fields, and the case's
            # JSON answer through `request` on all of them.
            judged = {**case, "expected": {k: v for k, v in case["expected"].items() if k != "rope_applied"}}
            raw_status, raw_body = _answer(lambda: _raw_call(client, case))
            assert not check_cases.check_response(case, raw_status, raw_body)
        problems = check_cases.check_response(judged, status, body)
        assert not problems, f"{transport}: {problems}"
