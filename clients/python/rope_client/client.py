"""`RopeClient`: rope-server's operations as methods taking and returning numpy arrays (or torch tensors)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, TypeVar, cast
from urllib.parse import urlencode

import numpy as np

from . import _npy
from ._errors import RopeOverloadedError
from ._http import Pool, Reply, raise_for_status, wait_for_retry
from ._params import checked, json_body, optional_float, query_pairs, without_none

if TYPE_CHECKING:
    from typing_extensions import Literal, Unpack

    from ._params import RoPEParameters

Array = TypeVar("Array")
NPY = "application/x-npy"
JSON = "application/json"


@dataclass
class Rotated:
    """What `/rotate` answers: the rotated embeddings, the attention factor cos and sin were multiplied by, and
    whether RoPE was applied (false for a config layer without RoPE, which comes back unchanged)."""

    embeddings: Any
    attention_scaling: float
    rope_applied: bool = True


@dataclass
class Frequencies:
    """What `/frequencies` answers, lists as numpy arrays (float64, except cos and sin: float32, as computed).

    `wavelengths` is NaN where an inverse frequency is 0; `cos`/`sin` (`[seq_len, r/2]`) come with `seq_len`,
    `angles` with `position`, `mrope_axis` with an M-RoPE section. `raw` is the whole JSON answer."""

    dim: int
    rotary_dim: int
    inv_freq: np.ndarray
    wavelengths: np.ndarray
    attention_scaling: float
    cos: Optional[np.ndarray] = None
    sin: Optional[np.ndarray] = None
    position: Optional[int] = None
    angles: Optional[np.ndarray] = None
    mrope_axis: Optional[List[str]] = None
    rope_applied: bool = True
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Decay:
    """The RoFormer long-term decay bound at each relative distance."""

    distance: np.ndarray
    bound: np.ndarray


class _TorchBridge:
    """Remembers the device and dtype of a torch input to hand results back the same way (torch imported lazily:
    only when a torch tensor is given)."""

    def __init__(self, tensor: Any) -> None:
        self.device, self.dtype = tensor.device, tensor.dtype

    @staticmethod
    def is_tensor(value: Any) -> bool:
        return type(value).__module__.startswith("torch") and hasattr(value, "detach")

    @staticmethod
    def to_numpy(tensor: Any) -> np.ndarray:
        import torch  # type: ignore[import-not-found, unused-ignore]

        tensor = tensor.detach()
        if tensor.dtype not in (torch.float32, torch.float64):
            tensor = tensor.float()
        array: np.ndarray = tensor.cpu().contiguous().numpy()
        return array

    def back(self, array: np.ndarray) -> Any:
        import torch  # type: ignore[import-not-found, unused-ignore]

        tensor = torch.from_numpy(array)
        if tensor.dtype != self.dtype and self.dtype.is_floating_point:
            tensor = tensor.to(self.dtype)
        return tensor.to(self.device) if self.device.type != "cpu" else tensor


def _as_array(value: Any) -> tuple[np.ndarray, Optional[_TorchBridge]]:
    if _TorchBridge.is_tensor(value):
        return _npy.float_array(_TorchBridge.to_numpy(value)), _TorchBridge(value)
    return _npy.float_array(value), None


def _positions(value: Any) -> Any:
    """Positions as given, with torch tensors turned into lists."""
    if value is not None and _TorchBridge.is_tensor(value):
        return value.detach().cpu().tolist()
    return value


class RopeClient:
    """A client of one rope-server, safe to share between threads.

    Tensors travel as .npy: the header and the array's own memory are sent as they are (float32/float64 C-order
    arrays; anything else is converted once to float32), and the .npy answer is read once into a buffer and viewed
    there. Results are float32 numpy arrays, or torch tensors (with the input's device and dtype) when torch tensors
    were given. Tiny tensors go as .npy too (measured faster than a JSON body). Connections are kept alive, up to
    `pool_size` idle ones.

    Args:
        url: the server, e.g. "http://127.0.0.1:8080".
        api_key: sent as `Authorization: Bearer <key>` when the server runs with one.
        timeout: seconds to wait for the connection and for each read.
        retries: how often a 503/429 answer with Retry-After is retried (after waiting that long, at most
            `max_retry_wait` seconds each); 0 raises `RopeOverloadedError` at once.
        pool_size: idle connections kept for reuse.
    """

    def __init__(self, url: str = "http://127.0.0.1:8080", api_key: Optional[str] = None, timeout: float = 60.0,
                 *, retries: int = 0, max_retry_wait: float = 30.0, pool_size: int = 8) -> None:
        self.url = url
        self._pool = Pool(url, timeout, pool_size)
        self._headers: Dict[str, str] = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.retries = retries
        self.max_retry_wait = max_retry_wait

    def close(self) -> None:
        """Closes the idle connections."""
        self._pool.close()

    def __enter__(self) -> "RopeClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ operations

    def rotate(self, embeddings: Array, *, positions: Any = None, offset: Optional[int] = None,
               inverse: Optional[bool] = None, xpos: Optional[Mapping[str, Any]] = None,
               from_positions: Any = None, mrope_positions: Any = None,
               transport: "Literal['npy', 'json']" = "npy",
               **rope: "Unpack[RoPEParameters]") -> Array:
        """Rotates `embeddings` (`[..., s, d]`) by their positions (`POST /rotate`): x -> R(position * inv_freq) x.

        `positions` (length s, or one per token), `offset`, `inverse`, `xpos` ({"role": "query"|"key",
        "scale_base": 512}), `from_positions` (re-rotate keys cached at those positions), `mrope_positions`
        (`[3, s]` or `[3, <leading axes>, s]`, M-RoPE) and every RoPE parameter (see `RoPEParameters`) are the
        contract's fields, sent in the query string of a .npy body (`transport="json"`: all in a JSON body; both give
        the same numbers). Returns float32 numpy, or torch like the input (other
        array-likes, such as lists, come back as numpy arrays)."""
        result = self.rotate_result(embeddings, positions=positions, offset=offset, inverse=inverse, xpos=xpos,
                                    from_positions=from_positions, mrope_positions=mrope_positions,
                                    transport=transport, **rope)
        return cast(Array, result.embeddings)

    def rotate_result(self, embeddings: Any, *, positions: Any = None, offset: Optional[int] = None,
                      inverse: Optional[bool] = None, xpos: Optional[Mapping[str, Any]] = None,
                      from_positions: Any = None, mrope_positions: Any = None,
                      transport: "Literal['npy', 'json']" = "npy",
                      **rope: "Unpack[RoPEParameters]") -> Rotated:
        """`rotate` that also returns the attention factor (see `Rotated`)."""
        array, torch_input = _as_array(embeddings)
        fields = {**without_none(positions=_positions(positions), offset=offset, inverse=inverse, xpos=xpos,
                                 from_positions=_positions(from_positions)), **checked(rope)}
        mrope = [_npy.integer_array(_positions(mrope_positions))] if mrope_positions is not None else []
        reply = self._tensor_call("/rotate", ["embeddings"], [array], ["mrope_positions"], mrope, fields, transport)
        rotated, _ = _npy.read(reply.body)
        applied = reply.headers.get("x-rope-applied", "true").lower() != "false"
        scaling = optional_float(reply.headers.get("x-attention-scaling"))
        return Rotated(torch_input.back(rotated) if torch_input else rotated,
                       scaling if scaling is not None else 1.0, applied)

    def attention(self, queries: Array, keys: Any, *, query_positions: Any = None, key_positions: Any = None,
                  scale: Optional[float] = None, causal: Optional[bool] = None, softmax: Optional[bool] = None,
                  query_mrope_positions: Any = None, key_mrope_positions: Any = None,
                  transport: "Literal['npy', 'json']" = "npy",
                  **rope: "Unpack[RoPEParameters]") -> Array:
        """RoPE attention scores `(R q)(R k)^T * scale` (`POST /attention`), `[..., s_q, s_k]`, default scale
        1/sqrt(d); `causal` masks later keys (-inf, or 0 after `softmax`), `softmax` normalises each row.
        M-RoPE positions go as `query_mrope_positions` and `key_mrope_positions` (both or neither)."""
        q, torch_input = _as_array(queries)
        k, _ = _as_array(keys)
        fields = {**without_none(query_positions=_positions(query_positions),
                                 key_positions=_positions(key_positions), scale=scale, causal=causal,
                                 softmax=softmax), **checked(rope)}
        mrope: List[np.ndarray] = []
        if query_mrope_positions is not None or key_mrope_positions is not None:
            if query_mrope_positions is None or key_mrope_positions is None:
                raise TypeError("give query_mrope_positions and key_mrope_positions together")
            mrope = [_npy.integer_array(_positions(query_mrope_positions)),
                     _npy.integer_array(_positions(key_mrope_positions))]
        reply = self._tensor_call("/attention", ["queries", "keys"], [q, k],
                                  ["query_mrope_positions", "key_mrope_positions"], mrope, fields, transport)
        scores, _ = _npy.read(reply.body)
        return cast(Array, torch_input.back(scores) if torch_input else scores)

    def frequencies(self, dim: Optional[int] = None, *, seq_len: Optional[int] = None,
                    position: Optional[int] = None, **rope: "Unpack[RoPEParameters]") -> Frequencies:
        """The frequency table (`POST /frequencies`): inv_freq[j] = b^(-2j/r) after scaling, wavelengths 2*pi/inv_freq,
        with `seq_len` the cos/sin tables `[seq_len, r/2]` (times the attention factor, as transformers returns
        them), with `position` the angles there. `dim` may come from `config` instead."""
        answer = self._json_call("POST", "/frequencies",
                                 {**without_none(dim=dim, seq_len=seq_len, position=position), **checked(rope)})
        return Frequencies(
            dim=answer["dim"], rotary_dim=answer["rotary_dim"], inv_freq=_floats(answer["inv_freq"]),
            wavelengths=_floats(answer["wavelengths"]), attention_scaling=answer["attention_scaling"],
            cos=_floats(answer["cos"], np.float32) if "cos" in answer else None,
            sin=_floats(answer["sin"], np.float32) if "sin" in answer else None,
            position=answer.get("position"),
            angles=_floats(answer["angles"]) if "angles" in answer else None,
            mrope_axis=answer.get("mrope_axis"), rope_applied=answer.get("rope_applied", True), raw=answer)

    def decay(self, dim: int, *, rope_theta: Optional[float] = None, max_distance: Optional[float] = None,
              points: Optional[int] = None) -> Decay:
        """The RoFormer long-term decay bound (`GET /decay`, paper section 3.4.3):
        (2/d) * sum_{j=1..d/2} |sum_{k<j} e^(i r theta_k)| at `points` distances r in [0, max_distance]."""
        query = query_pairs(without_none(dim=dim, rope_theta=rope_theta, max_distance=max_distance, points=points))
        answer = self._json_call("GET", "/decay?" + urlencode(query), None)
        return Decay(_floats(answer["distance"]), _floats(answer["bound"]))

    def spectrum(self, dim: Optional[int] = None, *, context: Optional[int] = None,
                 precision_positions: Optional[Sequence[int]] = None,
                 **rope: "Unpack[RoPEParameters]") -> Dict[str, Any]:
        """What a scaling does to each frequency (`POST /spectrum`): per slot inv_freq, base_inv_freq, ratio,
        wavelengths, rotations over the original and the extended context and the regime, plus a summary and, with
        `precision_positions`, the angle error of float32/bfloat16/float16 there. Returns the JSON answer."""
        return cast(Dict[str, Any], self._json_call("POST", "/spectrum", {
            **without_none(dim=dim, context=context, precision_positions=_positions(precision_positions)),
            **checked(rope)}))

    def health(self) -> str:
        """`GET /health`: "ok", or "draining" while the server shuts down (its 503 is an answer here, not an error)."""
        reply = self._pool.exchange("GET", "/health", {**self._headers, "Accept": JSON}, [])
        if reply.status == 503 and reply.json().get("status") == "draining":
            return "draining"
        raise_for_status(reply)
        return str(reply.json()["status"])

    def info(self) -> Dict[str, Any]:
        """`GET /info`: version, thread count, the limits in force and the defaults."""
        return cast(Dict[str, Any], self._json_call("GET", "/info", None))

    def request(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, json: Any = None,
                body: Optional[bytes] = None, content_type: Optional[str] = None) -> Any:
        """Any request, for what the methods above do not cover: `json` (a value to encode) or raw `body` bytes
        (with `content_type`), `query` values encoded as for .npy requests. Returns the parsed JSON answer (or the
        text when it is not JSON); error statuses raise as everywhere else."""
        target = path + ("?" + urlencode(query_pairs(query)) if query else "")
        parts: List[Any] = []
        headers = {**self._headers, "Accept": JSON}
        if json is not None:
            parts, headers["Content-Type"] = [json_body(json)], content_type or JSON
        elif body is not None:
            parts, headers["Content-Type"] = [bytes(body)], content_type or "application/octet-stream"
        reply = self._send(method, target, headers, parts)
        try:
            return reply.json()
        except ValueError:
            return reply.body.decode("utf-8", "replace")

    # ------------------------------------------------------------------ plumbing

    def _send(self, method: str, target: str, headers: Dict[str, str], parts: Sequence[Any]) -> Reply:
        """One exchange; a 503/429 is retried `retries` times after its Retry-After, other errors raise."""
        for attempt in range(self.retries + 1):
            reply = self._pool.exchange(method, target, headers, parts)
            try:
                raise_for_status(reply)
            except RopeOverloadedError as refusal:
                if attempt == self.retries:
                    raise
                wait_for_retry(refusal.retry_after, self.max_retry_wait)
                continue
            return reply
        raise AssertionError("unreachable")

    def _json_call(self, method: str, target: str, fields: Optional[Mapping[str, Any]]) -> Any:
        headers = {**self._headers, "Accept": JSON}
        parts: List[Any] = []
        if fields is not None:
            parts, headers["Content-Type"] = [json_body(fields)], JSON
        return self._send(method, target, headers, parts).json()

    def _tensor_call(self, path: str, tensor_names: List[str], tensors: List[np.ndarray], mrope_names: List[str],
                     mrope: List[np.ndarray], fields: Dict[str, Any], transport: str) -> Reply:
        """A tensor operation: a .npy body (tensors, then the M-RoPE positions) with the fields in the query string,
        or a JSON body; the answer is always asked for as .npy."""
        if transport not in ("npy", "json"):
            raise ValueError(f"transport must be 'npy' or 'json' (got {transport!r})")
        headers = {**self._headers, "Accept": NPY}
        if transport == "npy":
            headers["Content-Type"] = NPY
            target = path + ("?" + urlencode(query_pairs(fields)) if fields else "")
            return self._send("POST", target, headers, _npy.frames(tensors + mrope))
        body = dict(zip(tensor_names, tensors))
        body.update(zip(mrope_names, mrope))
        body.update(fields)
        headers["Content-Type"] = JSON
        return self._send("POST", path, headers, [json_body(body)])


def _floats(values: Sequence[Any], dtype: Any = np.float64) -> np.ndarray:
    """A JSON list of numbers (null read as NaN) as a numpy array."""
    return np.array([[math.nan if v is None else v for v in row] if isinstance(row, list) else
                     (math.nan if row is None else row) for row in values], dtype=dtype)
