FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
ENV PRODUCTION=true VAR_DIR=/app/var
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "interviewmaker.wsgi:application", "--access-logfile", "-"]
