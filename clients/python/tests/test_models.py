"""Model configs as they ship (config, rope_parameters, layer, layer_type), M-RoPE positions and layers without RoPE,
through the client: each checked against the same rotation given as plain parameters, and .npy against JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rope_client import RopeClient, RopeValidationError

LLAMA31_SCALING = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                   "original_max_position_embeddings": 8192}
LLAMA31 = {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "head_dim": 128,
           "max_position_embeddings": 131072, "rope_theta": 500000.0, "rope_scaling": LLAMA31_SCALING,
           "torch_dtype": "bfloat16"}
GEMMA3_TEXT = {"head_dim": 16, "hidden_size": 64, "num_attention_heads": 4, "max_position_embeddings": 32768,
               "layer_types": ["sliding_attention", "full_attention"],
               "rope_parameters": {"sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
                                   "full_attention": {"rope_type": "linear", "factor": 8.0,
                                                      "rope_theta": 1000000.0}}}


@pytest.fixture()
def heads() -> np.ndarray:
    return np.random.default_rng(21).standard_normal((2, 6, 128)).astype(np.float32)


def test_config_as_dict_or_path_equals_its_parameters(client: RopeClient, heads: np.ndarray, tmp_path) -> None:
    plain = client.rotate(heads, offset=5000, rope_theta=500000.0, rope_scaling=LLAMA31_SCALING)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(LLAMA31))
    for config in (LLAMA31, str(path), path):
        for transport in ("npy", "json"):
            assert np.array_equal(client.rotate(heads, offset=5000, config=config, transport=transport), plain)


def test_rope_parameters_equal_rope_scaling(client: RopeClient, heads: np.ndarray) -> None:
    plain = client.rotate(heads, rope_theta=500000.0, rope_scaling=LLAMA31_SCALING)
    five = {**LLAMA31_SCALING, "rope_theta": 500000.0}
    assert np.array_equal(client.rotate(heads, rope_parameters=five), plain)
    assert np.array_equal(client.rotate(heads, rope_parameters=five, transport="json"), plain)
    with pytest.raises(RopeValidationError, match="rope_theta"):
        client.rotate(heads, rope_parameters=five, rope_theta=10000.0)


def test_layer_and_layer_type_pick_the_rope_of_a_layer(client: RopeClient) -> None:
    x = np.random.default_rng(2).standard_normal((3, 16)).astype(np.float32)
    config = {"model_type": "gemma3", "text_config": GEMMA3_TEXT}
    full = client.rotate(x, config=config, layer=1)
    assert np.array_equal(full, client.rotate(x, rope_theta=1000000.0, rope_scaling={"rope_type": "linear",
                                                                                      "factor": 8.0}))
    assert np.array_equal(client.rotate(x, config=config, layer_type="sliding_attention"), client.rotate(x))
    keyed = GEMMA3_TEXT["rope_parameters"]
    assert np.array_equal(client.rotate(x, rope_parameters=keyed, layer_type="full_attention"), full)
    table = client.frequencies(config=config, layer=1)
    np.testing.assert_allclose(table.inv_freq, 1e6 ** (-np.arange(0, 16, 2) / 16) / 8, rtol=1e-12)
    with pytest.raises(RopeValidationError, match="layer_type"):
        client.rotate(x, rope_parameters=keyed)


def test_a_layer_without_rope_comes_back_unchanged(client: RopeClient) -> None:
    x = np.random.default_rng(3).standard_normal((4, 16)).astype(np.float32)
    config = {"model_type": "llama4_text", "head_dim": 16, "hidden_size": 64, "num_attention_heads": 4,
              "max_position_embeddings": 4096, "rope_theta": 500000.0, "num_hidden_layers": 4,
              "no_rope_layers": [1, 1, 1, 0]}
    result = client.rotate_result(x, config=config, layer=3, offset=9)
    assert np.array_equal(result.embeddings, x) and result.rope_applied is False
    assert not np.array_equal(client.rotate(x, config=config, layer=0, offset=9), x)
    assert client.frequencies(config=config, layer=3).rope_applied is False
    answer = client.request("POST", "/rotate", json={"embeddings": x, "config": config, "layer": 3})
    assert answer["rope_applied"] is False


def test_mrope_positions(client: RopeClient) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 32)).astype(np.float32)
    section = {"rope_type": "default", "mrope_section": [4, 6, 6]}
    text = np.arange(5)
    same_axes = client.rotate(x, mrope_positions=np.stack([text, text, text]), rope_scaling=section)
    assert np.array_equal(same_axes, client.rotate(x, positions=text, rope_scaling=section))
    np.testing.assert_allclose(same_axes, client.rotate(x, positions=text), rtol=1e-6, atol=1e-6)
    grid = np.array([[0, 1, 1, 1, 4], [0, 1, 2, 3, 4], [0, 2, 1, 3, 4]])
    by_npy = client.rotate(x, mrope_positions=grid, rope_scaling=section, transport="npy")
    by_json = client.rotate(x, mrope_positions=grid, rope_scaling=section, transport="json")
    assert np.array_equal(by_npy, by_json) and not np.array_equal(by_npy, same_axes)
    scores = client.attention(x, x, query_mrope_positions=grid, key_mrope_positions=grid, rope_scaling=section)
    scores_json = client.attention(x, x, query_mrope_positions=grid, key_mrope_positions=grid,
                                   rope_scaling=section, transport="json")
    assert np.array_equal(scores, scores_json)
    expected = np.einsum("hqd,hkd->hqk", by_npy.astype(np.float64), by_npy.astype(np.float64)) / np.sqrt(32)
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(TypeError, match="together"):
        client.attention(x, x, query_mrope_positions=grid, rope_scaling=section)


def test_mrope_section_flat_or_in_rope_scaling(client: RopeClient) -> None:
    x = np.random.default_rng(5).standard_normal((5, 32)).astype(np.float32)
    grid = np.array([[0, 1, 1, 1, 4], [0, 1, 2, 3, 4], [0, 2, 1, 3, 4]])
    nested = client.rotate(x, mrope_positions=grid, rope_scaling={"rope_type": "default", "mrope_section": [4, 6, 6],
                                                                  "mrope_interleaved": True})
    flat = client.rotate(x, mrope_positions=grid, mrope_section=[4, 6, 6], mrope_interleaved=True)
    assert np.array_equal(nested, flat)
    assert np.array_equal(flat, client.rotate(x, mrope_positions=grid, mrope_section=[4, 6, 6],
                                              mrope_interleaved=True, transport="json"))
