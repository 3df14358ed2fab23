"""/spectrum and moving cached keys (`from_positions`) through the client, against /frequencies and plain rotations."""

from __future__ import annotations

import numpy as np

from rope_client import RopeClient

LLAMA31 = {"rope_theta": 500000.0,
           "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                            "original_max_position_embeddings": 8192}}


def test_spectrum_agrees_with_the_frequency_tables(client: RopeClient) -> None:
    answer = client.spectrum(64, precision_positions=[1000, 100000], **LLAMA31)
    scaled = client.frequencies(64, **LLAMA31).inv_freq
    base = client.frequencies(64, rope_theta=500000.0).inv_freq
    np.testing.assert_array_equal(np.array(answer["inv_freq"]), scaled)
    np.testing.assert_array_equal(np.array(answer["base_inv_freq"]), base)
    np.testing.assert_allclose(np.array(answer["ratio"]), base / scaled, rtol=1e-12)
    regimes = answer["regime"]
    assert regimes[0] == "unchanged" and regimes[-1] == "interpolated" and "blended" in regimes
    assert sum(answer["summary"]["counts"].values()) == 32
    near, far = answer["precision"]
    assert (near["position"], far["position"]) == (1000, 100000)
    assert near["float32"]["sin"] < near["bfloat16"]["sin"] and near["bfloat16"]["sin"] <= far["bfloat16"]["sin"]


def test_from_positions_moves_cached_keys(client: RopeClient) -> None:
    keys = np.random.default_rng(8).standard_normal((4, 6, 64)).astype(np.float32)
    cached_at, wanted_at = [0, 1, 2, 3, 4, 5], [100, 101, 102, 103, 104, 105]
    cached = client.rotate(keys, positions=cached_at, **LLAMA31)
    moved = client.rotate(cached, from_positions=cached_at, positions=wanted_at, **LLAMA31)
    np.testing.assert_allclose(moved, client.rotate(keys, positions=wanted_at, **LLAMA31), rtol=1e-5, atol=1e-5)
    moved_json = client.rotate(cached, from_positions=cached_at, positions=wanted_at, transport="json", **LLAMA31)
    assert np.array_equal(moved, moved_json)
