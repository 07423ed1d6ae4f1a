FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The pinned, hashed dependencies first (their own layer, rebuilt only when the lock changes), then the hub.
# .dockerignore keeps the virtualenv, var/ (demo keys, SQLite, checkpoints) and secrets out.
COPY requirements/server.lock requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/server.lock
COPY . .
RUN pip install --no-cache-dir --no-deps . && python manage.py collectstatic --noinput
# The checkpoint directory exists, owned by the hub's user, before the named volume is first
# mounted there: Docker copies its ownership into the new volume, so the hub can write to it.
RUN useradd --system hub && mkdir -p /var/lib/hub/checkpoints \
    && chown -R hub /app /var/lib/hub
USER hub
EXPOSE 8000
