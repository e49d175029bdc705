"""Which jobs still have a message in the broker: waiting in a queue, or taken by a worker
that is still within its time (or holding it for a later ETA).

The reaper re-sends only jobs that have none, so a backlog that is merely slow is never
duplicated. Redis (kombu's layout: one list per queue and priority, the `unacked` hash and
its `unacked_index` of delivery times) and the embedded filesystem transport (one file per
message) are both read directly: neither offers a way to list messages.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import redis

from shared.queue import QUEUES, broker_config
from shared.settings import Settings

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's redis PRIORITY_STEPS
_PRIORITY_SEP = "\x06\x16"
_CHUNK = 1000


def _job_ids(raw: bytes) -> set[str]:
    # A message names its job id in its headers (argsrepr); the task id is another uuid,
    # which matches no job.
    return {m.decode() for m in _UUID.findall(raw)}


def _queue_keys(prefix: str) -> Iterator[str]:
    for queue in QUEUES:
        for step in _PRIORITY_STEPS:
            yield prefix + (queue if step == 0 else f"{queue}{_PRIORITY_SEP}{step}")


def _redis_held(settings: Settings, grace: float) -> set[str]:
    client = redis.Redis.from_url(settings.broker_url, socket_timeout=5)
    prefix = settings.broker_key_prefix
    held: set[str] = set()
    try:
        for key in _queue_keys(prefix):
            for start in range(0, client.llen(key), _CHUNK):
                for raw in client.lrange(key, start, start + _CHUNK - 1):
                    held |= _job_ids(raw)
        delivered = dict(client.zrange(prefix + "unacked_index", 0, -1, withscores=True))
        now = time.time()
        for tag, raw in client.hgetall(prefix + "unacked").items():
            if _reserved_by_a_live_worker(raw, delivered.get(tag, 0.0), now, grace):
                held |= _job_ids(raw)
    finally:
        client.close()
    return held


def _reserved_by_a_live_worker(raw: bytes, delivered_at: float, now: float, grace: float) -> bool:
    """A worker that died keeps its unacked messages until the visibility timeout; one
    taken longer than `grace` ago (and not held for a later ETA) counts as lost."""
    if now - delivered_at < grace:
        return True
    try:
        eta = json.loads(raw)[0].get("headers", {}).get("eta")
    except (ValueError, IndexError, AttributeError):
        return False
    return bool(eta) and datetime.fromisoformat(eta).timestamp() + grace > now


def _filesystem_held(settings: Settings) -> set[str]:
    folder = Path(broker_config(settings)["broker_transport_options"]["data_folder_in"])
    held: set[str] = set()
    for path in folder.glob("*.msg"):
        try:
            held |= _job_ids(path.read_bytes())
        except FileNotFoundError:  # consumed while we looked
            continue
    return held


def held_messages(settings: Settings, job_ids: Iterable[str], grace: float) -> set[str]:
    """The ids among `job_ids` that the broker still holds a message for."""
    wanted = set(job_ids)
    if not wanted:
        return set()
    if settings.broker_url.startswith("redis"):
        held = _redis_held(settings, grace)
    elif settings.embedded_broker:
        held = _filesystem_held(settings)
    else:  # a broker we cannot look into: assume nothing is lost
        return wanted
    return wanted & held
