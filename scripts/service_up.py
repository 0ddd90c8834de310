"""Exit 0 when the service at the URL answers within two seconds, 1 otherwise. Used by the Makefile."""

from __future__ import annotations

import sys


def postgres_up(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.replace("/guanjia", "/postgres"), connect_timeout=2) as conn:
            conn.execute("select 1")
        return True
    except psycopg.Error:
        return False


def redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    sys.exit(0 if {"postgres": postgres_up, "redis": redis_up}[kind](url) else 1)
