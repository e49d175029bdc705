"""Where model artifacts live: in the model_versions row ("db"), or as files in a folder
named by LIR_ARTIFACT_STORE (a mounted volume or a bucket's fuse mount)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from shared.db.models import ModelVersion
from shared.settings import get_settings


def save_artifact(model: ModelVersion, blob: bytes) -> None:
    model.artifact_sha256 = hashlib.sha256(blob).hexdigest()
    store = get_settings().artifact_store
    if store == "db":
        model.artifact, model.artifact_uri = blob, None
        return
    path = Path(store) / str(model.user_id) / f"v{model.version}-{model.artifact_sha256[:16]}.skops"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    model.artifact, model.artifact_uri = None, str(path.resolve())


def read_artifact(model: ModelVersion) -> bytes:
    if model.artifact is not None:
        return model.artifact
    if model.artifact_uri is None:
        raise FileNotFoundError(f"model version {model.version} has no artifact")
    return Path(model.artifact_uri).read_bytes()
