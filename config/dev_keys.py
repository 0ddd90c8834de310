"""The development keys published in this repository: fine for `make run` on one's own machine, never elsewhere.

`config.settings.local` falls back to them; production refuses them; `manage.py serve` refuses to answer a
non-loopback address while either is in effect (anyone who has read the source could forge sessions or
recompute the ID-number hashes).
"""

DEVELOPMENT_SECRET_KEY = "guanjia-local-development-key-not-for-production"  # noqa: S105 (published on purpose)
DEVELOPMENT_PII_HASH_KEY = "guanjia-local-development-pii-hash-key-not-for-production"

PUBLISHED_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, DEVELOPMENT_PII_HASH_KEY})
