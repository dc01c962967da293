# The image web, worker and beat run from (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=market40.settings_production
WORKDIR /app
COPY requirements.txt requirements-datasets.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --no-deps --ignore-requires-python -r requirements-datasets.txt
COPY . .
# collectstatic reads no database; a URL that names none keeps the settings
# from starting the embedded PostgreSQL they use when DATABASE_URL is unset.
RUN SECRET_KEY=build-only-secret-key-not-used-at-run-time-0123456789abcdef \
    DATABASE_URL=postgres://build@localhost/unused \
    python manage.py collectstatic --noinput
EXPOSE 8000
# The web server and its settings: market40/server.py (granian by default).
CMD ["python", "-m", "market40.server"]
