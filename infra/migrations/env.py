"""Alembic environment: the URL comes from LIR_ settings (or -x url=...), never from the ini."""

from __future__ import annotations

from alembic import context

from shared.db.models import Base
from shared.db.session import make_engine
from shared.settings import get_settings

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().db_url
if url.startswith("sqlite"):
    get_settings().data_dir.mkdir(parents=True, exist_ok=True)


def run() -> None:
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, that drop would cascade and delete the user's ratings and predictions.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copy
        )
        with context.begin_transaction():
            context.run_migrations()
        if url.startswith("sqlite"):
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    engine.dispose()


run()
