"""Safe model artifacts: skops (no pickle) plus a sha256 check before anything is parsed."""

from __future__ import annotations

import hashlib
import importlib
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
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


class _NoTorch:
    """An import finder that refuses torch (without leaving a None in sys.modules, which
    scipy's array-API helpers would trip over)."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name.split(".")[0] == "torch":
            raise ImportError("torch is not needed to read or write a model artifact")
        return None


def _skops() -> ModuleType:
    """skops.io, imported without torch. On import skops lists sklearn's estimators by
    walking every sklearn package, and the walk imports torch when it is installed (through
    sklearn.externals.array_api_compat.torch): ~270 MB in the gateway and every worker that
    loads or writes a model. No artifact holds a torch type, and the walk skips a package
    whose import fails; a process that already loaded torch (extract) keeps it."""
    if "skops.io" in sys.modules or "torch" in sys.modules:
        return importlib.import_module("skops.io")
    finder = _NoTorch()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module("skops.io")
    finally:
        sys.meta_path.remove(finder)


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
