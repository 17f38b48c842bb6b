"""Settings for the servers the benches start: production's, with the bench URL conf.

`production_env()` in benchdb.py supplies what production requires. BENCH_INSTRUMENT=1 adds
a middleware that reports, per response, whether the read model was queried (the hit-rate
measurement of read_api_mix.py); nothing of this is part of the app.
"""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench_urls"
if os.environ.get("BENCH_INSTRUMENT"):
    MIDDLEWARE = ["bench_urls.AnswerQueriesMiddleware", *MIDDLEWARE]
