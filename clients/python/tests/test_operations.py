"""Every operation through RopeClient against a real server, checked against numpy references of the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rope_client import Frequencies, RopeClient
from rope_client import _npy


def reference_rotate(x: np.ndarray, positions: np.ndarray, theta: float = 10000.0) -> np.ndarray:
    """RoPE, half (rotate_half) layout, in float64: pairs (i, i + d/2) rotated by position * theta^(-2i/d)."""
    d = x.shape[-1]
    angles = positions[:, None].astype(np.float64) * theta ** (-np.arange(0, d, 2) / d)[None, :]
    cos, sin = np.cos(angles), np.sin(angles)
    first, second = x[..., : d // 2].astype(np.float64), x[..., d // 2:].astype(np.float64)
    return np.concatenate([first * cos - second * sin, second * cos + first * sin], axis=-1)


@pytest.fixture()
def embeddings() -> np.ndarray:
    return np.random.default_rng(7).standard_normal((2, 3, 5, 16)).astype(np.float32)


def test_rotate_matches_the_formula(client: RopeClient, embeddings: np.ndarray) -> None:
    rotated = client.rotate(embeddings, offset=100)
    assert rotated.dtype == np.float32 and rotated.shape == embeddings.shape
    np.testing.assert_allclose(rotated, reference_rotate(embeddings, np.arange(5) + 100), rtol=1e-5, atol=1e-5)


def test_rotate_positions_theta_and_inverse(client: RopeClient, embeddings: np.ndarray) -> None:
    positions = [3, -1, 70000, 5, 0]
    rotated = client.rotate(embeddings, positions=positions, rope_theta=500000.0)
    np.testing.assert_allclose(rotated, reference_rotate(embeddings, np.array(positions), 500000.0),
                               rtol=1e-5, atol=1e-5)
    restored = client.rotate(rotated, positions=positions, rope_theta=500000.0, inverse=True)
    np.testing.assert_allclose(restored, embeddings, rtol=1e-5, atol=1e-5)


def test_per_token_positions_travel_as_json(client: RopeClient) -> None:
    x = np.random.default_rng(1).standard_normal((2, 3, 8)).astype(np.float32)
    positions = np.array([[0, 1, 2], [10, 11, 12]])
    rotated = client.rotate(x, positions=positions)
    for row in range(2):
        np.testing.assert_allclose(rotated[row], reference_rotate(x[row], positions[row]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("parameters", [
    {},
    {"layout": "interleaved", "offset": 12345},
    {"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 2048}},
    {"rope_type": "llama3", "factor": 8.0, "original_max_position_embeddings": 8192, "rope_theta": 500000.0},
    {"partial_rotary_factor": 0.5, "xpos": {"role": "query", "scale_base": 64}, "positions": [5, 1, 9, 2, 7]},
    {"rope_scaling": {"type": "dynamic", "factor": 2.0}, "max_position_embeddings": 4},
])
def test_npy_and_json_give_identical_numbers(client: RopeClient, embeddings: np.ndarray, parameters: dict) -> None:
    by_npy = client.rotate_result(embeddings, transport="npy", **parameters)
    by_json = client.rotate_result(embeddings, transport="json", **parameters)
    assert np.array_equal(by_npy.embeddings, by_json.embeddings)
    assert by_npy.attention_scaling == by_json.attention_scaling
    # and a JSON answer (JSON in, JSON out through the raw request) holds the same float32 values
    answer = client.request("POST", "/rotate", json={"embeddings": embeddings, **parameters})
    assert np.array_equal(np.array(answer["embeddings"], dtype=np.float32), by_npy.embeddings)
    assert answer["attention_scaling"] == by_npy.attention_scaling


def test_yarn_attention_scaling_is_returned(client: RopeClient, embeddings: np.ndarray) -> None:
    result = client.rotate_result(embeddings, rope_scaling={"rope_type": "yarn", "factor": 4.0,
                                                            "original_max_position_embeddings": 2048})
    assert result.attention_scaling == pytest.approx(0.1 * math.log(4.0) + 1.0)


def test_inputs_of_other_dtypes_and_orders_are_converted_once(client: RopeClient, embeddings: np.ndarray) -> None:
    as_float32 = client.rotate(embeddings)
    np.testing.assert_array_equal(client.rotate(embeddings.astype(np.float64)), as_float32)
    fortran = np.asfortranarray(embeddings)
    np.testing.assert_array_equal(client.rotate(fortran), as_float32)
    np.testing.assert_array_equal(client.rotate(embeddings.astype(">f4")), as_float32)
    halves = embeddings.astype(np.float16)
    np.testing.assert_array_equal(client.rotate(halves), client.rotate(halves.astype(np.float32)))
    assert client.rotate(embeddings.tolist()).shape == embeddings.shape


def test_attention_matches_the_formula(client: RopeClient) -> None:
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal((2, 4, 8)).astype(np.float32), rng.standard_normal((2, 6, 8)).astype(np.float32)
    scores = client.attention(q, k, scale=0.5)
    rq, rk = reference_rotate(q, np.arange(4)), reference_rotate(k, np.arange(6))
    np.testing.assert_allclose(scores, rq @ np.swapaxes(rk, -1, -2) * 0.5, rtol=1e-4, atol=1e-5)
    causal = client.attention(q, k, causal=True, query_positions=[2, 3, 4, 5])
    assert np.isneginf(causal[0, 0, 3:]).all() and np.isfinite(causal[0, 0, :3]).all()
    normalised = client.attention(q, k, causal=True, softmax=True, query_positions=[2, 3, 4, 5])
    np.testing.assert_allclose(normalised.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.array_equal(client.attention(q, k, transport="json", scale=0.5), scores)


def test_frequencies(client: RopeClient) -> None:
    table = client.frequencies(8, seq_len=3, position=3, rope_theta=100.0)
    assert isinstance(table, Frequencies) and (table.dim, table.rotary_dim) == (8, 8)
    np.testing.assert_allclose(table.inv_freq, 100.0 ** (-np.arange(0, 8, 2) / 8), rtol=1e-15)
    np.testing.assert_allclose(table.wavelengths, 2 * np.pi / table.inv_freq, rtol=1e-15)
    assert table.cos is not None and table.cos.dtype == np.float32 and table.cos.shape == (3, 4)
    np.testing.assert_allclose(table.sin[2], np.sin(2 * table.inv_freq), rtol=1e-6)
    np.testing.assert_allclose(table.angles, 3 * table.inv_freq, rtol=1e-15)
    scaled = client.frequencies(64, rope_scaling={"rope_type": "linear", "factor": 4.0})
    np.testing.assert_allclose(scaled.inv_freq, 10000.0 ** (-np.arange(0, 64, 2) / 64) / 4, rtol=1e-12)


def test_decay(client: RopeClient) -> None:
    curve = client.decay(128, points=11, max_distance=50, rope_theta=10000.0)
    np.testing.assert_allclose(curve.distance, np.linspace(0, 50, 11))
    assert curve.bound[0] == pytest.approx((128 / 2 + 1) / 2)
    theta = 10000.0 ** (-np.arange(0, 128, 2) / 128)
    partial = np.cumsum(np.exp(1j * 5 * theta))
    assert curve.bound[1] == pytest.approx(2 / 128 * np.abs(partial).sum(), rel=1e-9)


def test_health_and_info(client: RopeClient) -> None:
    assert client.health() == "ok"
    info = client.info()
    assert info["name"] == "rope-server" and "max_body_bytes" in info["limits"]


def test_connections_are_kept_alive(client: RopeClient, embeddings: np.ndarray) -> None:
    for _ in range(5):
        client.rotate(embeddings)
    assert len(client._pool._idle) == 1


def test_npy_header_is_what_numpy_writes(tmp_path) -> None:
    for array in (np.zeros((3, 4), np.float32), np.arange(5, dtype=np.float64), np.zeros((3, 2, 7), np.int64)):
        path = tmp_path / "a.npy"
        np.save(path, array)
        assert path.read_bytes() == b"".join(bytes(part) for part in _npy.frames([array]))
        parsed, end = _npy.read(bytearray(path.read_bytes()))
        assert np.array_equal(parsed, array) and end == path.stat().st_size


def test_float_arrays_are_sent_without_copies() -> None:
    array = np.ones((4, 8), np.float32)
    assert _npy.float_array(array) is array
    part = _npy.frames([array])[1]
    assert np.shares_memory(np.frombuffer(part, np.float32), array)


def test_torch_tensors_in_and_out(client: RopeClient, embeddings: np.ndarray) -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed here (optional dependency)")
    tensor = torch.from_numpy(embeddings)
    rotated = client.rotate(tensor, offset=100)
    assert isinstance(rotated, torch.Tensor) and rotated.dtype == torch.float32
    np.testing.assert_array_equal(rotated.numpy(), client.rotate(embeddings, offset=100))
    as_bf16 = client.rotate(tensor.to(torch.bfloat16))
    assert as_bf16.dtype == torch.bfloat16
    scores = client.attention(tensor, tensor)
    assert isinstance(scores, torch.Tensor)
