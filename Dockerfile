# The image web, worker and beat run from (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=market40.settings_production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only-secret-key-not-used-at-run-time-0123456789abcdef \
    python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "market40.wsgi:application", "--access-logfile", "-"]
