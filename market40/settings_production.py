"""Production settings: the embedded default, tightened.

Refuses to start without a real SECRET_KEY or a DATABASE_URL, and passes
`check --deploy`.
"""

from django.core.exceptions import ImproperlyConfigured

from market40.env import env_bool, env_int
from market40.settings import *  # noqa: F403
from market40.settings import DATABASE_EMBEDDED, DEVELOPMENT_SECRET_KEY, SECRET_KEY

DEBUG = False
# The embedded PostgreSQL lives in the checkout's var/ folder: fine for a demo,
# never the database of a deployment.
if DATABASE_EMBEDDED:
    raise ImproperlyConfigured("DATABASE_URL must name the PostgreSQL server in production")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
