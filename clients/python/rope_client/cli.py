"""The `rope-client` command line (also `python -m rope_client`): rotate a .npy file, print frequencies."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional

import numpy as np

from ._errors import RopeConnectionError, RopeServerError
from .client import RopeClient

DESCRIPTION = """\
Talk to a rope-server (Rotary Position Embeddings over HTTP) from the shell.

  rope-client rotate queries.npy rotated.npy --config config.json --offset 128
      rotates a float32/float64 .npy tensor [..., s, d] with the RoPE of a model's config.json (positions
      0..s-1 plus --offset, or --positions) and writes the result as a float32 .npy
  rope-client frequencies --config config.json
      prints the inverse frequencies and wavelengths of each rotated pair
  rope-client frequencies --dim 128 --rope-theta 500000 --json
      the whole answer as JSON
  rope-client health | info

The server is --url, else $ROPE_URL, else http://127.0.0.1:8080; the API key --api-key, else $ROPE_API_KEY.
Exit status: 0 done, 1 the server refused (its message is printed), 2 the server could not be reached.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rope-client", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("ROPE_URL", "http://127.0.0.1:8080"),
                        help="the server (default: $ROPE_URL or http://127.0.0.1:8080)")
    parser.add_argument("--api-key", default=os.environ.get("ROPE_API_KEY"), help="bearer key, if the server has one")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rotate = commands.add_parser("rotate", help="rotate a .npy tensor into another .npy",
                                 description="Rotate INPUT.npy ([..., s, d]) and write OUTPUT.npy (float32).")
    rotate.add_argument("input", help=".npy file to rotate (float32 or float64)")
    rotate.add_argument("output", help=".npy file to write")
    rotate.add_argument("--positions", help="s comma-separated positions (default 0..s-1)")
    rotate.add_argument("--offset", type=int, help="added to every position")
    rotate.add_argument("--inverse", action="store_true", help="undo a rotation instead")
    _rope_options(rotate)

    frequencies = commands.add_parser("frequencies", help="print a frequency table",
                                      description="Print inv_freq and the wavelength of each rotated pair.")
    frequencies.add_argument("--dim", type=int, help="head dimension d (default: from --config)")
    frequencies.add_argument("--seq-len", type=int, help="also fetch cos/sin for this many positions (with --json)")
    frequencies.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    _rope_options(frequencies)

    commands.add_parser("health", help="print the server's health")
    commands.add_parser("info", help="print the server's version, limits and defaults as JSON")
    return parser


def _rope_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("RoPE parameters (names as in transformers configs)")
    group.add_argument("--config", help="a model's config.json (RoPE type, theta, head_dim, ... read from it)")
    group.add_argument("--layer", type=int, help="with --config: the layer whose layer type to use")
    group.add_argument("--layer-type", help="e.g. full_attention or sliding_attention")
    group.add_argument("--rope-theta", type=float, help="the base b (default 10000)")
    group.add_argument("--rotary-dim", type=int, help="rotate only the first features")
    group.add_argument("--layout", choices=["half", "interleaved", "neox", "gptj"], help="pairing (default half)")
    group.add_argument("--rope-scaling", help='a rope_scaling object as JSON, e.g. \'{"rope_type": "linear", ...}\'')


def _rope_arguments(args: argparse.Namespace) -> Dict[str, Any]:
    rope: Dict[str, Any] = {"config": args.config, "layer": args.layer, "layer_type": args.layer_type,
                            "rope_theta": args.rope_theta, "rotary_dim": args.rotary_dim, "layout": args.layout}
    if args.rope_scaling:
        rope["rope_scaling"] = json.loads(args.rope_scaling)
    return rope


def _run(args: argparse.Namespace) -> None:
    with RopeClient(args.url, api_key=args.api_key, timeout=args.timeout) as client:
        if args.command == "health":
            print(client.health())
        elif args.command == "info":
            print(json.dumps(client.info(), indent=2))
        elif args.command == "rotate":
            embeddings = np.load(args.input, mmap_mode="r")
            positions: Optional[List[int]] = ([int(p) for p in args.positions.split(",")]
                                              if args.positions else None)
            rotated = client.rotate(np.ascontiguousarray(embeddings), positions=positions, offset=args.offset,
                                    inverse=True if args.inverse else None, **_rope_arguments(args))
            np.save(args.output, rotated)
            print(f"{args.output}: {rotated.dtype} {list(rotated.shape)}")
        elif args.command == "frequencies":
            table = client.frequencies(args.dim, seq_len=args.seq_len, **_rope_arguments(args))
            if args.json:
                print(json.dumps(table.raw, indent=2))
                return
            print(f"dim {table.dim}, rotary_dim {table.rotary_dim}, attention_scaling {table.attention_scaling}")
            print(f"{'pair':>5} {'inv_freq':>24} {'wavelength':>24}")
            for j, (inv, wave) in enumerate(zip(table.inv_freq, table.wavelengths)):
                print(f"{j:>5} {float(inv)!r:>24} {float(wave)!r:>24}")


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except RopeServerError as refusal:
        print(f"rope-client: the server refused: {refusal}", file=sys.stderr)
        return 1
    except RopeConnectionError as failure:
        print(f"rope-client: {failure} (is a rope-server running at {args.url}?)", file=sys.stderr)
        return 2
    return 0
