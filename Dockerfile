FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The pinned, hashed dependencies first (their own layer, rebuilt only when the lock changes), then the hub.
COPY requirements/server.lock requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/server.lock
COPY . .
RUN pip install --no-cache-dir --no-deps . && python manage.py collectstatic --noinput
RUN useradd --system hub && chown -R hub /app
USER hub
EXPOSE 8000
