"""The ASGI entry point, for an ASGI server (`uvicorn market40.asgi:application`).

The deployed server is granian on `market40.wsgi` (market40/server.py), whose short road for
partner deliveries is WSGI only; under ASGI a delivery takes the full
application, which answers it the same way through the API router."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")
application = get_asgi_application()
