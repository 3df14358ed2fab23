"""Loaded by schemathesis in scripts/check-contract (`hooks` in scripts/schemathesis.toml); defines no hooks.

The coverage phase walks the recursive Tensor and PositionGrid schemas of POST /attention deeply. At Python's
default limit of 1000 frames a RecursionError can then fire inside `ast.parse` (hypothesis describing a lambda),
which CPython 3.11 turns into "SystemError: AST constructor recursion depth mismatch", reported by schemathesis as
a flaky runtime error. A higher limit, with thread stacks large enough for it (the workers are threads), avoids it.
"""
import sys
import threading

sys.setrecursionlimit(5000)
threading.stack_size(256 * 1024 * 1024)
