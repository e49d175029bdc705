"""Safe model artifacts: skops (no pickle) plus a sha256 check before anything is parsed."""

from __future__ import annotations

import hashlib

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


def dump_model(estimator: PostingModel) -> bytes:
    import skops.io as sio  # lazily: skops pulls in torch when it is installed

    return sio.dumps(estimator)


def load_model(blob: bytes, sha256: str) -> PostingModel:
    actual = model_sha256(blob)
    if actual != sha256:
        raise ModelIntegrityError(
            f"model artifact sha256 mismatch: expected {sha256}, got {actual}"
        )
    import skops.io as sio

    found = sio.get_untrusted_types(data=blob)
    refused = [t for t in found if not (t.startswith(_TRUSTED_PREFIXES) or t in _TRUSTED_TYPES)]
    if refused:
        raise UntrustedModelError(f"model artifact contains untrusted types: {sorted(refused)}")
    estimator = sio.loads(blob, trusted=found)
    if not isinstance(estimator, PostingModel):
        raise UntrustedModelError(f"artifact holds {type(estimator).__name__}, not PostingModel")
    return estimator
