"""Only the extract queue's processes load the embedding model: the gateway and the scrape
worker never import torch (a fresh interpreter each, so nothing else has imported it); and
every launched process keeps its heap to two malloc arenas."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# What each process imports on its way to serving: the gateway app and the domain code
# its routes call; the scrape worker's app, tasks and the scrape, search and model code.
PROCESSES = {
    "gateway": "import services.gateway.app, shared.scoring, shared.recommendations, shared.ml",
    "scrape worker": (
        "import services.worker.app, services.worker.tasks, shared.postings, shared.searches,"
        " shared.ml, shared.linkedin"
    ),
}


@pytest.mark.parametrize("name", PROCESSES)
def test_process_never_imports_torch(name: str) -> None:
    heavy = "('torch', 'sentence_transformers', 'transformers')"
    code = (
        f"{PROCESSES[name]}\nimport sys\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", f"{name} imported {out.strip()}"


def test_embeddings_do_load_torch_where_asked() -> None:
    """The check above can fail: the extract path does bring torch in (the embeddings
    extra is part of `make run`'s install)."""
    code = (
        "from shared.ml.embeddings import embeddings_available\n"
        "import sys\nprint(embeddings_available(), 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True"]


def test_launched_processes_keep_two_malloc_arenas(tmp_path: Path) -> None:
    """The launcher runs every child with two malloc arenas, not one per thread (a gateway
    process's 16 threads each kept their freed memory: most of its growth under load)."""
    from services.launcher import Supervisor

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    log = tmp_path / "child.log"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    code = "import os; print(os.environ.get('MALLOC_ARENA_MAX'))"
    try:
        with log.open("wb") as out:
            children = Supervisor([[sys.executable, "-c", code]], env, out)
            children.procs[0].wait(timeout=60)
            children.stop()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert log.read_text().strip() == "2"
