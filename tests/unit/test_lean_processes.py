"""Only the extract queue's processes load the embedding model: the gateway and the scrape
worker never import torch (a fresh interpreter each, so nothing else has imported it), not
even when they load a model to score with (skops walked every sklearn package, torch's
array-API shim included: 270 MB per gateway process); the scrape worker does not even import
the scoring stack (a search ranks in a child job on the extract queue;
tests/integration/test_lean_workers.py runs searches through a real scrape worker and reads
its sys.modules); and every launched process keeps its heap to one malloc arena."""

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


HEAVY = "('torch', 'sentence_transformers', 'transformers')"
LIST_HEAVY = f"import sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY}))"


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("name", PROCESSES)
def test_process_never_imports_torch(name: str) -> None:
    out = run(f"{PROCESSES[name]}\n{LIST_HEAVY}")
    assert out == "[]", f"{name} imported {out}"


# Everything a scrape worker's tasks import on their way, a search's and a saved search's
# runs included (their alerts, a posting's closing, the training they may queue).
SCRAPE_PATH = (
    "import services.worker.app, services.worker.tasks, shared.postings, shared.searches,"
    " shared.saved_searches.service, shared.alerts.service, shared.alerts.digest,"
    " shared.freshness.service, shared.training, shared.linkedin.client"
)
SCORING_STACK = "('sklearn', 'pandas', 'scipy', 'torch')"


def test_the_scrape_workers_code_leaves_the_scoring_stack_out() -> None:
    """Scoring (pandas, scipy, scikit-learn: ~100 MB) is imported where it is used, on the
    extract and train queues' processes, not at the top of what the scrape worker imports."""
    top = "{m.split('.')[0] for m in sys.modules}"
    code = f"import sys\nprint(sorted({top} & set({SCORING_STACK})))"
    out = run(f"{SCRAPE_PATH}\n{code}")
    assert out == "[]", f"the scrape worker imported {out}"


def test_gateway_never_imports_the_linkedin_client() -> None:
    """Only workers fetch from LinkedIn: the gateway leaves httpx and tenacity out."""
    client = "('httpx', 'tenacity', 'shared.linkedin.client')"
    code = f"import sys\nprint([m for m in {client} if m in sys.modules])"
    out = run(f"{PROCESSES['gateway']}\n{code}")
    assert out == "[]", f"the gateway imported {out}"


@pytest.mark.parametrize("name", PROCESSES)
def test_loading_and_scoring_with_a_model_never_imports_torch(name: str, tmp_path: Path) -> None:
    """The gateway scores with users' models, the train worker writes them: loading (and
    dumping) an artifact brings no torch in, in any lean process."""
    from shared.ml import dump_model, model_sha256, train_model
    from tests.unit.test_ml_training import synthetic_user

    frame, y = synthetic_user(24)
    blob = dump_model(train_model(frame, y, seed=7).estimator)
    (tmp_path / "model.skops").write_bytes(blob)
    frame.to_pickle(tmp_path / "frame.pkl")
    code = (
        f"{PROCESSES[name]}\nimport pandas as pd\n"
        "from shared.ml import dump_model, load_model, predict\n"
        f"model = load_model(open({str(tmp_path / 'model.skops')!r}, 'rb').read(),"
        f" {model_sha256(blob)!r})\n"
        f"assert len(predict(model, pd.read_pickle({str(tmp_path / 'frame.pkl')!r}))) == {len(y)}\n"
        f"dump_model(model)\n{LIST_HEAVY}"
    )
    out = run(code)
    assert out == "[]", f"{name} imported {out} when loading a model"


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


def test_launched_processes_keep_one_malloc_arena(tmp_path: Path) -> None:
    """The launcher runs every child with one malloc arena, not one per thread (a gateway
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
    assert log.read_text().strip() == "1"
