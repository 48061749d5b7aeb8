"""The Sentry wire protocol, SANS-IO.

The rule of this package: it imports nothing of heron outside itself and does no I/O. Everything here is a
pure function over bytes, strings and dicts, so it is unit-tested (and fuzzed) in milliseconds.
"""
