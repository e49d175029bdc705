"""Safe model artifacts: skops (no pickle) plus a sha256 check before anything is parsed."""

from __future__ import annotations

import hashlib
import importlib
import sys
import threading
from types import ModuleType

from shared.ml.model import PostingModel

# Our own classes, plus the library types they hold; anything else in a blob is refused.
_TRUSTED_PREFIXES = ("shared.ml.",)
_TRUSTED_TYPES = frozenset(
    {
        "builtins.frozenset",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "sklearn.feature_extraction.text.CountVectorizer",
    }
)


class ModelIntegrityError(ValueError):
    """The artifact's bytes do not match the stored sha256."""


class UntrustedModelError(ValueError):
    """The artifact contains types this code never writes."""


def model_sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


_IMPORTING = threading.Lock()


def _skops() -> ModuleType:
    """skops.io, imported without its walk of sklearn. On import skops lists sklearn's
    estimators (its default trusted types) by importing every sklearn package, torch's
    array-API shim among them when torch is installed: ~280 MB and seconds of CPU in the
    gateway and every worker that loads or writes a model. We never use that default (we
    check a blob's types against our own list and pass them as `trusted`), so the list is
    left empty."""
    with _IMPORTING:  # the gateway's threads: one patches and imports, the others wait
        if "skops.io" in sys.modules:
            return importlib.import_module("skops.io")
        import sklearn.utils

        walk = sklearn.utils.all_estimators
        sklearn.utils.all_estimators = lambda *_, **__: []
        try:
            return importlib.import_module("skops.io")
        finally:
            sklearn.utils.all_estimators = walk


def load_model_support() -> None:
    """Import what loading a model needs, ahead of the first load (the gateway's start-up)."""
    _skops()


def dump_model(estimator: PostingModel) -> bytes:
    blob: bytes = _skops().dumps(estimator)
    return blob


def load_model(blob: bytes, sha256: str) -> PostingModel:
    actual = model_sha256(blob)
    if actual != sha256:
        raise ModelIntegrityError(
            f"model artifact sha256 mismatch: expected {sha256}, got {actual}"
        )
    sio = _skops()
    found = sio.get_untrusted_types(data=blob)
    refused = [t for t in found if not (t.startswith(_TRUSTED_PREFIXES) or t in _TRUSTED_TYPES)]
    if refused:
        raise UntrustedModelError(f"model artifact contains untrusted types: {sorted(refused)}")
    estimator = sio.loads(blob, trusted=found)
    if not isinstance(estimator, PostingModel):
        raise UntrustedModelError(f"artifact holds {type(estimator).__name__}, not PostingModel")
    return estimator
