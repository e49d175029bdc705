"""`python -m tests.integration.modules_at_exit worker ...`: celery's own command line, which
on its way out writes the top-level packages this process had imported to the file named by
LIR_TEST_MODULES_OUT (a JSON list): what a worker loaded while it ran, read from its own
`sys.modules`."""

from __future__ import annotations

import atexit
import json
import os
import sys


def _write() -> None:
    with open(os.environ["LIR_TEST_MODULES_OUT"], "w") as out:
        json.dump(sorted({name.split(".")[0] for name in sys.modules}), out)


if __name__ == "__main__":
    atexit.register(_write)
    from celery.__main__ import main

    sys.argv[0] = "celery"
    main()
