"""The installed package: numpy its only requirement, torch never imported unless torch tensors are given."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys


def test_numpy_is_the_only_requirement() -> None:
    requirements = importlib.metadata.requires("rope-client") or []
    assert [r for r in requirements if "extra ==" not in r] == ["numpy>=1.21"]


def test_importing_and_using_the_client_does_not_import_torch(server) -> None:
    script = ("import sys, numpy as np; from rope_client import RopeClient; "
              f"RopeClient({server.url!r}).rotate(np.ones((2, 4), np.float32)); "
              "print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr


def test_type_information_is_shipped() -> None:
    files = importlib.metadata.files("rope-client") or []
    assert any(str(path).endswith("rope_client/py.typed") for path in files)
