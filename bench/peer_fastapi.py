"""Yardstick only: the same POST /rotate (default RoPE) as rope-server, in FastAPI + orjson + numpy.

Run by bench/bench.py as `uvicorn peer_fastapi:app --workers 2 --loop uvloop --http httptools`.
Implements the JSON /rotate for default RoPE: embeddings [..., s, d], optional positions (length s), offset,
rope_theta, layout ("half" or "interleaved"); float32 storage, angles in float64, like rope-server. cos/sin
tables are cached per (theta, d, positions), so the peer is not handicapped by recomputing them.
"""

from functools import lru_cache

import numpy as np
import orjson
from fastapi import FastAPI, Request, Response

app = FastAPI()


@lru_cache(maxsize=64)
def cos_sin(theta: float, d: int, positions: tuple) -> tuple:
    inv_freq = 1.0 / (theta ** (np.arange(0, d, 2, dtype=np.float64) / d))
    angles = np.asarray(positions, dtype=np.float64)[:, None] * inv_freq[None, :]
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def rotate(x: np.ndarray, cos: np.ndarray, sin: np.ndarray, layout: str) -> np.ndarray:
    if layout == "interleaved":
        x1, x2 = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = x1 * cos - x2 * sin
        out[..., 1::2] = x1 * sin + x2 * cos
        return out
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate((x1 * cos - x2 * sin, x1 * sin + x2 * cos), axis=-1)


@app.get("/health")
async def health() -> Response:
    return Response(content=b'{"status":"ok"}', media_type="application/json")


@app.post("/rotate")
async def rotate_endpoint(request: Request) -> Response:
    body = orjson.loads(await request.body())
    x = np.asarray(body["embeddings"], dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    s, d = x.shape[-2], x.shape[-1]
    offset = int(body.get("offset", 0))
    positions = body.get("positions") or list(range(s))
    positions = tuple(int(p) + offset for p in positions)
    cos, sin = cos_sin(float(body.get("rope_theta", 10000.0)), d, positions)
    out = rotate(x, cos, sin, body.get("layout", "half"))
    payload = {"embeddings": out, "shape": list(out.shape), "attention_scaling": 1.0}
    return Response(content=orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json")
