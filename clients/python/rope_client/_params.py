"""The RoPE parameters shared by every operation, checked by name, and their encodings: JSON fields, or query-string
values for .npy requests (lists as `1,2,3`, objects and nested lists as JSON text, `xpos` and a `rope_scaling` of flat
keys in their flat form)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np

try:
    from typing import TypedDict
except ImportError:  # pragma: no cover - Python < 3.8
    from typing_extensions import TypedDict


class RoPEParameters(TypedDict, total=False):
    """Keyword arguments every operation takes: the contract's RoPE fields, named as in `transformers` configs.

    `config` is a model's whole config.json, as a dict or a path to the file; `rope_parameters` the transformers 5
    object (or one per layer type, chosen with `layer_type`); `layer` indexes the config's `layer_types`. The flat
    scaling keys (`rope_type`, `factor`, ..., `mrope_section`) are an alternative to the `rope_scaling` object.
    """

    rope_theta: float
    rotary_dim: int
    partial_rotary_factor: float
    layout: str
    rope_scaling: Mapping[str, Any]
    rope_parameters: Mapping[str, Any]
    config: Union[Mapping[str, Any], str, "os.PathLike[str]"]
    layer: int
    layer_type: str
    max_position_embeddings: int
    apply_attention_scaling: bool
    rope_type: str
    factor: float
    original_max_position_embeddings: int
    beta_fast: float
    beta_slow: float
    mscale: float
    mscale_all_dim: float
    attention_factor: float
    truncate: bool
    low_freq_factor: float
    high_freq_factor: float
    short_factor: Any
    long_factor: Any
    mrope_section: Any
    mrope_interleaved: bool


NAMES = frozenset(RoPEParameters.__annotations__)
# The scaling keys a query string carries flat (a `rope_scaling` with any other key goes as JSON text).
FLAT_SCALING = frozenset({"rope_type", "factor", "original_max_position_embeddings", "max_position_embeddings",
                          "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate",
                          "low_freq_factor", "high_freq_factor", "short_factor", "long_factor", "mrope_section",
                          "mrope_interleaved"})


def checked(parameters: Mapping[str, Any]) -> Dict[str, Any]:
    """The given RoPE parameters without the ones left at None; an unknown name is a TypeError naming it (a typo
    never silently gives default numbers), and `config` given as a path is read."""
    unknown = sorted(set(parameters) - NAMES)
    if unknown:
        known = ", ".join(sorted(NAMES))
        raise TypeError(f"unknown RoPE parameter(s) {', '.join(unknown)}; known: {known}")
    given = {name: value for name, value in parameters.items() if value is not None}
    if "config" in given:
        given["config"] = load_config(given["config"])
    return given


def load_config(config: Any) -> Any:
    """A config given as a path (str or os.PathLike) read as JSON; a mapping as it is."""
    if isinstance(config, (str, os.PathLike)):
        with open(config, encoding="utf-8") as handle:
            return json.load(handle)
    return config


def jsonable(value: Any) -> Any:
    """`value` with numpy (and torch) arrays and scalars turned into lists and Python numbers, for json.dumps."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if type(value).__module__.startswith("torch"):
        return value.tolist()
    return value


def json_body(fields: Mapping[str, Any]) -> bytes:
    """A compact JSON request body."""
    return json.dumps(jsonable(dict(fields)), separators=(",", ":"), allow_nan=False).encode("utf-8")


def query_pairs(fields: Mapping[str, Any]) -> Dict[str, str]:
    """Query-string values of request fields (see the module summary)."""
    flat: Dict[str, Any] = {}
    for name, value in fields.items():
        if name == "rope_scaling" and _flat_keys_only(value):
            for key, item in value.items():
                flat["rope_type" if key == "type" else key] = item
        elif name == "xpos":
            flat["xpos_role"] = value.get("role")
            flat["xpos_scale_base"] = value.get("scale_base")
        else:
            flat[name] = value
    return {name: _query_text(value) for name, value in flat.items() if value is not None}


def _flat_keys_only(scaling: Mapping[str, Any]) -> bool:
    """Whether a rope_scaling object has only keys the query string carries flat (else it goes as JSON text)."""
    return set(scaling) - {"type"} <= FLAT_SCALING


def _query_text(value: Any) -> str:
    """Booleans as true/false, a flat list as `1,2,3`, objects and nested lists as JSON text."""
    value = jsonable(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and not any(isinstance(item, (list, dict)) for item in value):
        return ",".join(_query_text(item) for item in value)
    return json.dumps(value, separators=(",", ":"))


def without_none(**fields: Any) -> Dict[str, Any]:
    """The keyword arguments that are not None."""
    return {name: value for name, value in fields.items() if value is not None}


def optional_float(text: Optional[str]) -> Optional[float]:
    """A header's decimal, or None when absent."""
    return float(text) if text is not None else None
