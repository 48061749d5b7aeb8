"""Heron: self-hosted error tracking and performance monitoring that speaks the Sentry protocol."""

__version__ = "0.1.0"
