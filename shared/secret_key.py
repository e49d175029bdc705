"""The key that signs session cookies. Embedded mode (`make run` without a database URL)
makes a random one on first start and keeps it in LIR_DATA_DIR; every other mode must be
given one, and refuses to start with the development default."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from shared.settings import DEV_SECRET, Settings

KEY_FILE = "secret_key"


class InsecureSecretKey(RuntimeError):
    pass


def _kept_key(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several gateway processes starting at once, exactly one writes it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    for _ in range(100):  # a racing writer may not have written yet
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise InsecureSecretKey(f"{path} is empty: delete it and start again")


def secret_key(settings: Settings) -> str:
    key = settings.secret_key.get_secret_value()
    if key != DEV_SECRET:
        return key
    if not settings.database_url:
        return _kept_key(settings.data_dir)
    raise InsecureSecretKey(
        "LIR_SECRET_KEY is the development default: set it to a long random value "
        "(e.g. `openssl rand -hex 32`) before running on a real database"
    )
