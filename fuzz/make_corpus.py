#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the golden cases and a few hand-made inputs.

Run from anywhere: python3 fuzz/make_corpus.py (needs numpy for the .npy seeds). The output is committed, so the
fuzzers start from every request shape the golden cases cover; rerun it when the golden cases change.
"""
import hashlib
import io
import json
import pathlib
import urllib.parse

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
GOLDEN = ROOT / "Tests" / "Golden"

# Selector byte of the request target: bits 0-1 the endpoint, bit 2 Accept: application/x-npy.
REQUEST_SELECTOR = {"/rotate": 0, "/attention": 1, "/frequencies": 2}
# Selector byte of the query target: 0 GET /frequencies, 1 POST /rotate (.npy body), 3 GET /decay; bit 2 .npy/SVG.
QUERY_SELECTOR = {"/frequencies": 0, "/rotate": 1, "/decay": 3}


def write(target, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def golden_cases():
    for path in sorted(GOLDEN.glob("*.json")):
        yield json.loads(path.read_text())


def main():
    for case in golden_cases():
        endpoint, method = case["endpoint"], case["method"]
        if "raw_body" in case:
            body = case["raw_body"].encode()
        elif method == "POST" and case.get("request") is not None:
            body = json.dumps(case["request"], separators=(",", ":")).encode()
        else:
            body = None
        if body is not None:
            write("json", body)
            if endpoint in REQUEST_SELECTOR:
                write("request", bytes([REQUEST_SELECTOR[endpoint]]) + body)
        if method == "GET" and endpoint in QUERY_SELECTOR:
            query = (case.get("request") or {}).get("query", {})
            write("query", bytes([QUERY_SELECTOR[endpoint]]) + urllib.parse.urlencode(query, safe=",[]").encode())

    # Query strings for POST /rotate with a .npy body: every parameter comes from the query string.
    for query in ["", "positions=0,1&offset=3", "layout=interleaved&offset=10", "positions=[5,6]&inverse=true",
                  "rope_type=yarn&factor=4&original_max_position_embeddings=2048",
                  "rope_type=longrope&short_factor=1,1&long_factor=2,2&original_max_position_embeddings=4",
                  "rope_type=llama3&factor=8&low_freq_factor=1&high_freq_factor=4&rope_theta=500000",
                  "xpos_role=query&xpos_scale_base=512", "rotary_dim=2&apply_attention_scaling=false",
                  "partial_rotary_factor=0.5&rope_type=dynamic&factor=2&max_position_embeddings=8"]:
        write("query", bytes([QUERY_SELECTOR["/rotate"]]) + query.encode())
        write("query", bytes([QUERY_SELECTOR["/rotate"] | 4]) + query.encode())
    write("query", bytes([QUERY_SELECTOR["/decay"] | 4]) + b"dim=16&points=5")

    # A few bodies the golden cases do not have: nesting, escapes, exponents, duplicate keys, NaN, big numbers.
    extra = [
        b'{"embeddings": [[[1e0, -2.5E-3], [0.0, -0]]], "positions": [[0, 1]], "rope_scaling": {"type": "linear", "factor": 2}}',
        b'{"embeddings":[1,2,3,4],"positions":[7],"xpos":{"role":"key","scale_base":64}}',
        b'{"embeddings": [[1, 2]], "layout": "g\\u0070tj", "note": "\\ud83d\\ude00 \\n\\t"}',
        b'{"embeddings": [[1, 2]], "embeddings": [[3, 4]]}',
        b'{"embeddings": [[NaN, Infinity]]}',
        b'{"embeddings": [[123456789012345678901234567890, 1.00000000000000000000000001]]}',
        b'{"queries": [[1, 0, 0, 1]], "keys": [[1, 0, 0, 1], [0, 1, 1, 0]], "causal": true, "softmax": true, "scale": 0.5}',
        b'{"dim": 8, "seq_len": 3, "position": -4, "rope_theta": 1e6}',
        b' \t\r\n{"embeddings": [[1, 2]]} \n',
    ]
    for body in extra:
        write("json", body)
        write("request", bytes([0]) + body)
        write("request", bytes([4]) + body)

    # .npy seeds made by numpy itself: float32/float64, ranks 1-4, v1 and v2 headers, plus refusals.
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(4).astype(np.float32), rng.standard_normal((2, 4)).astype(np.float32),
              rng.standard_normal((1, 2, 3, 4)).astype(np.float64), np.zeros((3, 2), np.float32),
              np.arange(6, dtype="<f8").reshape(2, 3), np.ones((2, 2), dtype=">f4"),
              np.asfortranarray(np.ones((2, 3), np.float32)), np.ones(3, dtype=np.int32), np.float32(1.5)]
    for array in arrays:
        buffer = io.BytesIO()
        np.save(buffer, array)
        write("npy", buffer.getvalue())
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ones((2, 2), np.float32), version=(2, 0))
    write("npy", buffer.getvalue())


if __name__ == "__main__":
    main()
