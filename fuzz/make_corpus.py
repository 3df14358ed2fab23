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

# Selector byte of the request target: bits 0-1 the endpoint, bit 2 Accept: application/x-npy (SVG for /spectrum).
REQUEST_SELECTOR = {"/rotate": 0, "/attention": 1, "/frequencies": 2, "/spectrum": 3}
# Selector byte of the query target: 0 GET /frequencies, 1 POST /rotate (.npy body), 3 GET /decay, 16 GET /spectrum;
# bit 2 .npy/SVG; bit 3 the .npy body of /rotate carries int64 M-RoPE positions [3, 2] after the embeddings.
QUERY_SELECTOR = {"/frequencies": 0, "/rotate": 1, "/decay": 3, "/spectrum": 16}
MROPE_NPY_BODY = 8


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

    # Model configs, rope_parameters, M-RoPE, proportional, /spectrum and from_positions (hand-made; the golden
    # cases hold few of them), as JSON bodies and as query strings with JSON text values.
    llama4 = {"hidden_size": 64, "num_attention_heads": 8, "num_hidden_layers": 4, "rope_theta": 500000.0,
              "no_rope_layers": [1, 1, 1, 0], "max_position_embeddings": 64,
              "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                               "original_max_position_embeddings": 16}}
    gemma = {"text_config": {"head_dim": 8, "global_head_dim": 16, "num_hidden_layers": 2,
                             "max_position_embeddings": 32,
                             "layer_types": ["sliding_attention", "full_attention"],
                             "rope_parameters": {"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                                                 "full_attention": {"rope_type": "proportional", "rope_theta": 1e6,
                                                                    "partial_rotary_factor": 0.25}}}}
    gemma3 = {"head_dim": 8, "num_hidden_layers": 6, "sliding_window_pattern": 6, "rope_local_base_freq": 10000.0,
              "rope_theta": 1e6, "rope_scaling": {"rope_type": "linear", "factor": 8.0}}
    phi3 = {"hidden_size": 32, "num_attention_heads": 4, "max_position_embeddings": 64, "partial_rotary_factor": 0.5,
            "original_max_position_embeddings": 16,
            "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.1], "long_factor": [2.0, 3.0]}}
    mla = {"qk_rope_head_dim": 8, "num_hidden_layers": 1, "layer_types": ["full_attention"],
           "no_rope_layer_interval": 1,
           "rope_scaling": {"type": "yarn", "factor": 4, "original_max_position_embeddings": 8, "mscale": 1,
                            "mscale_all_dim": 1}}
    qwen_vl = {"head_dim": 8, "rope_scaling": {"type": "mrope", "mrope_section": [1, 1, 2]}}
    qwen3_vl = {"rope_parameters": {"rope_type": "default", "mrope_section": [2, 1, 1], "mrope_interleaved": True}}
    x = [[[0.5, -1.0, 0.25, 2.0, 1.0, 0.0, -0.5, 0.75], [1.0, 0.5, -0.25, 0.0, 0.5, 1.5, 0.0, -1.0]]]
    requests = [
        ("/rotate", {"embeddings": x, "config": llama4, "layer": 3}),
        ("/rotate", {"embeddings": x, "config": gemma, "layer": 0, "layout": "interleaved"}),
        ("/rotate", {"embeddings": x, "config": gemma3, "layer": 5, "positions": [7, 9]}),
        ("/rotate", {"embeddings": x, "config": mla, "layer": 0}),
        ("/rotate", {"embeddings": x, "config": qwen_vl, "mrope_positions": [[0, 1], [2, 3], [4, 5]], "offset": 1}),
        ("/rotate", {"embeddings": x, **qwen3_vl, "mrope_positions": [[[0, 1]], [[1, 1]], [[0, 2]]]}),
        ("/rotate", {"embeddings": x, "rope_parameters": {"full_attention": {"rope_theta": 1e4}, "sliding": None},
                     "layer_type": "sliding"}),
        ("/rotate", {"embeddings": x, "rope_parameters": {"rope_type": "proportional", "factor": 2.0,
                                                          "partial_rotary_factor": 0.5}}),
        ("/rotate", {"embeddings": x, "from_positions": [3, 4], "positions": [10, 20], "offset": 2}),
        ("/rotate", {"embeddings": x, "from_positions": [[0, 100]], "rope_scaling": {"rope_type": "dynamic",
                     "factor": 2.0}, "max_position_embeddings": 16, "xpos": {"role": "key", "scale_base": 64}}),
        ("/attention", {"queries": x, "keys": x, "rope_parameters": {"mrope_section": [1, 1, 2]}, "causal": True,
                        "query_mrope_positions": [[0, 1], [0, 0], [0, 1]],
                        "key_mrope_positions": [[0, 1], [1, 1], [0, 0]]}),
        ("/attention", {"queries": x, "keys": x, "config": llama4, "layer": 0, "softmax": True}),
        ("/frequencies", {"dim": 8, "seq_len": 3, "rope_parameters": {"mrope_section": [2, 1, 1]},
                          "mrope_positions": [[0, 1, 2], [0, 1, 1], [0, 0, 1]]}),
        ("/frequencies", {"config": gemma, "layer": 1, "seq_len": 2}),
        ("/spectrum", {"dim": 16,
                       "rope_scaling": {"rope_type": "yarn", "factor": 4, "original_max_position_embeddings": 32},
                       "context": 128, "precision_positions": [0, 1, 65504, 65505, -3]}),
        ("/spectrum", {"config": llama4, "layer": 1, "precision_positions": [4096]}),
        ("/spectrum", {"config": gemma, "layer": 1}),
        ("/spectrum", {"config": phi3, "context": 100}),
        ("/spectrum", {"dim": 8, "context": 64, **qwen3_vl}),
        ("/spectrum", {"dim": 8, "max_position_embeddings": 32, "rope_parameters": {"rope_type": "longrope",
                       "short_factor": [1, 1, 1, 1], "long_factor": [1, 2, 4, 8],
                       "original_max_position_embeddings": 8}}),
    ]
    for endpoint, request in requests:
        body = json.dumps(request, separators=(",", ":")).encode()
        write("json", body)
        write("request", bytes([REQUEST_SELECTOR[endpoint]]) + body)
        write("request", bytes([REQUEST_SELECTOR[endpoint] | 4]) + body)
    text = lambda value: json.dumps(value, separators=(",", ":"))
    queries = [
        (QUERY_SELECTOR["/spectrum"], {"dim": 8, "context": 64, "precision_positions": "0,1,70000"}),
        (QUERY_SELECTOR["/spectrum"] | 4, {"config": text(gemma), "layer": 1, "precision_positions": "[1,2]"}),
        (QUERY_SELECTOR["/spectrum"], {"dim": 8, "max_position_embeddings": 64, "rope_type": "proportional",
                                       "partial_rotary_factor": 0.5}),
        (QUERY_SELECTOR["/spectrum"], {"dim": 8, "context": 9, "rope_parameters": text(qwen3_vl["rope_parameters"])}),
        (QUERY_SELECTOR["/spectrum"] | 4, {"dim": 8, "context": 9, "mrope_section": "1,1,2",
                                           "mrope_interleaved": "true"}),
        (QUERY_SELECTOR["/frequencies"], {"config": text(llama4), "layer": 3, "seq_len": 2}),
        (QUERY_SELECTOR["/frequencies"], {"dim": 8, "seq_len": 2, "rope_parameters": text({"a": {}, "b": None}),
                                          "layer_type": "b"}),
        (QUERY_SELECTOR["/rotate"], {"config": text(qwen_vl), "mrope_positions": "[[0,1],[0,1],[0,2]]"}),
        (QUERY_SELECTOR["/rotate"] | MROPE_NPY_BODY, {"rope_parameters": text(qwen3_vl["rope_parameters"])}),
        (QUERY_SELECTOR["/rotate"] | MROPE_NPY_BODY | 4,
         {"rope_scaling": text({"type": "mrope", "mrope_section": [1, 1, 0]}),
                                                           "rotary_dim": 4}),
        (QUERY_SELECTOR["/rotate"], {"from_positions": "[[0,1],[5,6]]", "positions": "9,10", "offset": 3}),
        (QUERY_SELECTOR["/rotate"] | 4, {"config": text(gemma3), "layer": 2, "from_positions": "0,1"}),
    ]
    for selector, query in queries:
        write("query", bytes([selector]) + urllib.parse.urlencode(query, safe=",[]").encode())

    # A few bodies the golden cases do not have: nesting, escapes, exponents, duplicate keys, NaN, big numbers.
    extra = [
        b'{"embeddings": [[[1e0, -2.5E-3], [0.0, -0]]], "positions": [[0, 1]], '
        b'"rope_scaling": {"type": "linear", "factor": 2}}',
        b'{"embeddings":[1,2,3,4],"positions":[7],"xpos":{"role":"key","scale_base":64}}',
        b'{"embeddings": [[1, 2]], "layout": "g\\u0070tj", "note": "\\ud83d\\ude00 \\n\\t"}',
        b'{"embeddings": [[1, 2]], "embeddings": [[3, 4]]}',
        b'{"embeddings": [[NaN, Infinity]]}',
        b'{"embeddings": [[123456789012345678901234567890, 1.00000000000000000000000001]]}',
        b'{"queries": [[1, 0, 0, 1]], "keys": [[1, 0, 0, 1], [0, 1, 1, 0]], '
        b'"causal": true, "softmax": true, "scale": 0.5}',
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
