"""One client shared by threads: every answer belongs to its own request, and connections are reused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rope_client import RopeClient


def test_threads_share_one_client(client: RopeClient) -> None:
    rng = np.random.default_rng(11)
    inputs = [rng.standard_normal((1, 8, 64)).astype(np.float32) for _ in range(16)]
    expected = [client.rotate(x, offset=i) for i, x in enumerate(inputs)]

    def work(index: int) -> bool:
        return all(np.array_equal(client.rotate(inputs[index], offset=index), expected[index]) for _ in range(10))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(16)))
    assert 1 <= len(client._pool._idle) <= client._pool.size
