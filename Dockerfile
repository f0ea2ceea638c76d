# syntax=docker/dockerfile:1
# Two images from one file:
#   docker build --target web    -t transplant-studio-web .      # slim, CPU-only PyTorch
#   docker build --target worker -t transplant-studio-worker .   # PyTorch with CUDA
# The web image still carries a CPU PyTorch: it loads modules for previews, insight and
# predictions. Training runs only on workers. See README, Production.

FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TRANSPLANT_DATA=/var/lib/transplant DJANGO_STATIC_ROOT=/app/static DJANGO_STATIC_MANIFEST=1
# The app runs as `transplant`; it writes only under /var/lib/transplant (caches, uploads).
RUN useradd --system --create-home --home-dir /var/lib/transplant transplant \
    && mkdir -p /app/static /var/lib/transplant/cache && chown transplant /var/lib/transplant/cache
WORKDIR /app

FROM base AS web-deps
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.14.1 torchvision==0.29.1
COPY pyproject.toml README.md ./
COPY engine engine
COPY webapp webapp
RUN pip install '.[web]' && pip install --no-deps animal-mnist==0.4

FROM base AS worker-deps
# PyPI's Linux wheels of torch are the CUDA build and bring the CUDA runtime with them; the
# host provides the driver (NVIDIA Container Toolkit).
RUN pip install torch==2.14.1 torchvision==0.29.1
COPY pyproject.toml README.md ./
COPY engine engine
COPY webapp webapp
RUN pip install '.[web]' && pip install --no-deps animal-mnist==0.4

FROM web-deps AS web
COPY manage.py ./
COPY templates templates
COPY --from=frontend /src/frontend/dist frontend/dist
# Hashed, compressed static files; whitenoise serves them with immutable caching.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused \
    python manage.py collectstatic --noinput
USER transplant
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "webapp.asgi:application"]

FROM worker-deps AS worker
COPY manage.py ./
COPY templates templates
USER transplant
EXPOSE 9191
CMD ["python", "manage.py", "transplant_worker", "--gpu", "0", "--queues", "training"]
