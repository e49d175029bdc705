"""The garbage collector, set for serving: pauses short and rare under load.

A full collection stops the event loop for as long as it takes to scan every tracked object
not frozen; under load it comes each time the objects promoted since the last one reach a
quarter of those it kept. So start-up freezes what lives as long as the process, first
building what serving would build on first use and keep, and the youngest generation is
collected less often: far fewer of the objects that requests in flight hold are promoted
(they are gone by the next pass), so full collections become rare."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, routing

from shared.ml.persistence import load_model_support

# Allocations between two collections of the youngest generation (CPython's default: 700).
# In rounds of 50-client ratings like bench_serving's (2 processes), the default promoted
# enough for one or two full collections a process every 5 s, 7-16 ms each; at 10 000,
# none in six rounds, and one young pass over 1 ms (5.7 ms) in four.
YOUNG_THRESHOLD = 10_000


def warm_up(app: FastAPI) -> None:
    """What serving builds on first use and keeps for good: each route's context (FastAPI
    builds a router's on the first request through it, ~10 000 objects) and the model loader
    with the sklearn modules it imports. Built after the freeze, they were most of the
    ~37 000 objects each full collection scanned under load (20-40 ms a pass)."""
    list(routing.iter_route_contexts(app.routes))
    load_model_support()


@contextmanager
def tuned_for_serving(app: FastAPI) -> Iterator[None]:
    """For the lifespan. Its end thaws and restores: a process that starts another app (the
    tests) collects as before."""
    warm_up(app)
    gc.collect()
    # What start-up built, frozen: out of the collector's sight, a full collection scans only
    # what came after. Unfrozen, the ~250 000 objects (the app, its schemas, the libraries)
    # took 260-300 ms a pass (job polls at 50 clients: p99 220 ms, frozen 33 ms).
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
