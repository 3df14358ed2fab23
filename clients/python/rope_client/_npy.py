"""NumPy .npy (format 1.0) framing without copies: a header in front of an array's own memory, and arrays viewed in
the buffer a response was read into."""

from __future__ import annotations

import ast
import re
import struct
from typing import Any, Dict, List, Tuple

import numpy as np

MAGIC = b"\x93NUMPY"
_FLOATS = (np.dtype("<f4"), np.dtype("<f8"))
_INTEGERS = (np.dtype("<i4"), np.dtype("<i8"))
_SIMPLE_HEADER = re.compile(r"\{'descr': '([<>|=][a-z]\d+)', 'fortran_order': (True|False), "
                            r"'shape': \(([\d, ]*)\), *\} *\n?$")


def float_array(values: Any) -> np.ndarray:
    """`values` as a little-endian float32/float64 C-order array: such arrays as they are, anything else converted
    once to float32."""
    return _sendable(values, _FLOATS, np.float32, "fiub", "a tensor must hold numbers")


def integer_array(values: Any) -> np.ndarray:
    """`values` (positions) as a little-endian int32/int64 C-order array, converted to int64 only when needed."""
    return _sendable(values, _INTEGERS, np.int64, "iub", "positions must be integers")


def _sendable(values: Any, accepted: Tuple[np.dtype, ...], fallback: Any, kinds: str, refusal: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype in accepted and array.flags.c_contiguous:
        return array
    if array.dtype.kind not in kinds:
        raise TypeError(f"{refusal} (got dtype {array.dtype})")
    return np.ascontiguousarray(array, dtype=fallback)


def header(array: np.ndarray) -> bytes:
    """The .npy 1.0 header for a C-order array: magic, version, length, the dict, padded to 64 bytes."""
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (array.dtype.str, tuple(array.shape))
    padding = -(len(MAGIC) + 4 + len(text) + 1) % 64
    text += " " * padding + "\n"
    return MAGIC + b"\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def frames(arrays: List[np.ndarray]) -> List[Any]:
    """Header and memory of each array, in order: the parts of a request body (no array is copied)."""
    parts: List[Any] = []
    for array in arrays:
        parts.append(header(array))
        parts.append(array.data.cast("B") if array.size else b"")
    return parts


def read(buffer: bytearray, offset: int = 0) -> Tuple[np.ndarray, int]:
    """The array stored at `offset` of `buffer`, as a view into it, and the offset just past it."""
    view = memoryview(buffer)
    if bytes(view[offset:offset + 6]) != MAGIC:
        raise ValueError("the response is not a .npy file")
    major = view[offset + 6]
    if major == 1:
        (length,) = struct.unpack_from("<H", buffer, offset + 8)
        start = offset + 10
    else:
        (length,) = struct.unpack_from("<I", buffer, offset + 8)
        start = offset + 12
    text = bytes(view[start:start + length]).decode("latin1")
    simple = _SIMPLE_HEADER.match(text)
    fields: Dict[str, Any]
    if simple:  # what numpy and rope-server write; parsed without the cost of ast
        fields = {"descr": simple.group(1), "fortran_order": simple.group(2) == "True",
                  "shape": [int(n) for n in simple.group(3).replace(",", " ").split()]}
    else:
        fields = ast.literal_eval(text)
    dtype = np.dtype(fields["descr"])
    shape = tuple(fields["shape"])
    count = int(np.prod(shape)) if shape else 1
    data = start + length
    array = np.frombuffer(buffer, dtype=dtype, count=count, offset=data)
    array = array.reshape(shape, order="F" if fields["fortran_order"] else "C")
    return array, data + count * dtype.itemsize
