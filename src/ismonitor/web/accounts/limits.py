"""A small rate limit in Django's cache: at most so many attempts per key in a window.

With the default in-memory cache the counts are per process; a shared cache (CACHES)
makes them hold across processes.
"""

from __future__ import annotations

from django.core.cache import cache

from ..tokens import hash_token


def allow(key: str, limit: int, seconds: int) -> bool:
    """Count one attempt for ``key``; False once there have been more than ``limit`` in the
    window that began with the first of them. The key is hashed (it may hold an address)."""
    name = f"ismonitor:limit:{hash_token(key)}"
    if cache.add(name, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired in between
        cache.add(name, 1, timeout=seconds)
        return True
    return count <= limit
