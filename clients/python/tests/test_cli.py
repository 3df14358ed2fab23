"""The command line: rotate a .npy file, print frequencies, explain itself, and exit with distinct statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from rope_client import RopeClient
from conftest import Server, free_port


def rope_client(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rope_client", *args], capture_output=True, text=True, timeout=60)


def test_help_explains_itself() -> None:
    shown = rope_client("--help")
    assert shown.returncode == 0
    assert "rotate queries.npy rotated.npy --config config.json" in shown.stdout and "Exit status" in shown.stdout


def test_rotate_a_file(server: Server, client: RopeClient, tmp_path) -> None:
    embeddings = np.random.default_rng(5).standard_normal((2, 6, 32)).astype(np.float32)
    np.save(tmp_path / "in.npy", embeddings)
    done = rope_client("--url", server.url, "rotate", str(tmp_path / "in.npy"), str(tmp_path / "out.npy"),
                       "--offset", "7", "--rope-theta", "500000", "--layout", "interleaved")
    assert done.returncode == 0, done.stderr
    expected = client.rotate(embeddings, offset=7, rope_theta=500000.0, layout="interleaved")
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)


def test_frequencies_are_printed(server: Server) -> None:
    done = rope_client("--url", server.url, "frequencies", "--dim", "8", "--rope-theta", "100")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [float(row[1]) for row in rows] == [1.0, 100.0 ** -0.25, 0.1, 100.0 ** -0.75]


def test_refusal_and_unreachable_server_exit_differently(server: Server) -> None:
    refused = rope_client("--url", server.url, "frequencies", "--dim", "7")
    assert refused.returncode == 1 and "validation_error" in refused.stderr
    unreachable = rope_client("--url", f"http://127.0.0.1:{free_port()}", "health")
    assert unreachable.returncode == 2 and "could not" not in unreachable.stdout


def test_rotate_and_frequencies_with_a_config_file(server: Server, client: RopeClient, tmp_path) -> None:
    config = {"model_type": "llama", "head_dim": 32, "hidden_size": 256, "num_attention_heads": 8,
              "max_position_embeddings": 131072, "rope_theta": 500000.0,
              "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                               "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    embeddings = np.random.default_rng(6).standard_normal((4, 32)).astype(np.float32)
    np.save(tmp_path / "in.npy", embeddings)
    done = rope_client("--url", server.url, "rotate", str(tmp_path / "in.npy"), str(tmp_path / "out.npy"),
                       "--config", str(tmp_path / "config.json"), "--positions", "0,100,10000,100000")
    assert done.returncode == 0, done.stderr
    expected = client.rotate(embeddings, config=config, positions=[0, 100, 10000, 100000])
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)
    table = rope_client("--url", server.url, "frequencies", "--config", str(tmp_path / "config.json"))
    assert table.returncode == 0, table.stderr
    printed = [float(line.split()[1]) for line in table.stdout.splitlines()[2:]]
    assert printed == client.frequencies(config=config).inv_freq.tolist()
