"""rope_client: a Python client for rope-server (Rotary Position Embeddings over HTTP), for numpy and PyTorch.

    import numpy as np
    from rope_client import RopeClient

    client = RopeClient("http://127.0.0.1:8080")
    rotated = client.rotate(np.ones((1, 8, 64), np.float32), config="config.json")
"""

from ._errors import (RopeConnectionError, RopeError, RopeMalformedRequestError, RopeMethodNotAllowedError,
                      RopeNotFoundError, RopeOverloadedError, RopePayloadTooLargeError, RopeServerError,
                      RopeUnauthorizedError, RopeUnsupportedMediaTypeError, RopeValidationError)
from ._params import RoPEParameters
from .client import Decay, Frequencies, RopeClient, Rotated

__all__ = [
    "Decay", "Frequencies", "RoPEParameters", "RopeClient", "RopeConnectionError", "RopeError",
    "RopeMalformedRequestError", "RopeMethodNotAllowedError", "RopeNotFoundError", "RopeOverloadedError",
    "RopePayloadTooLargeError", "RopeServerError", "RopeUnauthorizedError", "RopeUnsupportedMediaTypeError",
    "RopeValidationError", "Rotated",
]
__version__ = "0.1.0"
