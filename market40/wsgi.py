import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market40.settings")
django_application = get_wsgi_application()

from payments.webhook_http import with_webhook_intake  # noqa: E402 — needs the app loaded

# Partners' deliveries take a short road past the middleware chain.
application = with_webhook_intake(django_application)
