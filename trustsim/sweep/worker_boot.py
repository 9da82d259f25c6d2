"""Imported by the forkserver of sweep workers: limit native threads, then load the model.

Imported for its effect only, in a fresh interpreter before numpy loads, so that the
forkserver stays single-threaded and every worker it forks starts with the model imported
(see :mod:`trustsim.sweep.workers`).
"""

import os

from trustsim.sweep.workers import SINGLE_THREADED

os.environ.update(SINGLE_THREADED)  # one process per core: no BLAS threads of its own

import trustsim.park.simulate  # noqa: E402, F401 - the import is the point
import trustsim.sweep.runner  # noqa: E402, F401
