"""Blocks put together: per-fold kernels for training, one sparse matrix for scoring."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shared.ml.blocks import Block, default_blocks

FEATURE_VERSION = "blocks-v1"


def has_embeddings(frame: pd.DataFrame) -> bool:
    """Use the embedding block only when most postings carry a vector."""
    present = sum(v is not None for v in frame["embedding"])
    return present > 0 and present >= 0.8 * len(frame)


class PreparedData:
    """Label-free per-row work (tokenising, counting) done once for a whole data set."""

    def __init__(self, frame: pd.DataFrame, blocks: list[Block]) -> None:
        self.frame = frame
        self.blocks = blocks
        self.prepared: list[Any] = [block.prepare(frame) for block in blocks]

    def fit_blocks(self, rows: np.ndarray) -> list[Block]:
        """Copies of the blocks fitted on `rows` only (so each fold learns its own vocabulary)."""
        return [
            copy.copy(block).fit(prep, rows)
            for block, prep in zip(self.blocks, self.prepared, strict=True)
        ]

    def matrices(self, fitted: list[Block], rows: np.ndarray) -> list[sp.csr_matrix]:
        return [
            block.transform_prepared(prep, rows)  # type: ignore[arg-type]
            for block, prep in zip(fitted, self.prepared, strict=True)
        ]


def prepare(frame: pd.DataFrame) -> PreparedData:
    return PreparedData(frame, default_blocks(has_embeddings(frame)))


class Featurizer:
    """Fitted blocks with the weight each one got in training."""

    def __init__(self, blocks: list[Block], scales: np.ndarray) -> None:
        self.blocks = blocks
        self.scales = np.asarray(scales, dtype=float)
        self.feature_version = FEATURE_VERSION

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        parts = []
        for block, scale in zip(self.blocks, self.scales, strict=True):
            part = block.transform(frame)  # a fresh matrix, so scaled in place (the hot path)
            part.data *= scale
            parts.append(part)
        return sp.csr_matrix(sp.hstack(parts, format="csr"))

    def feature_names(self) -> list[str]:
        return [name for block in self.blocks for name in block.feature_names()]

    def block_slices(self) -> list[tuple[Block, slice]]:
        out, start = [], 0
        for block in self.blocks:
            width = len(block.feature_names())
            out.append((block, slice(start, start + width)))
            start += width
        return out
