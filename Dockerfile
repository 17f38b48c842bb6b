# Mediahub: one image for every process (web, worker, beat, release), as in the Procfile.
#   docker build -t mediahub .
# libvips comes with the pyvips-binary wheel and ffmpeg with the imageio-ffmpeg wheel (both
# in pyproject.toml's dependencies), so no system package is installed for them.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

RUN groupadd --system --gid 10001 mediahub \
    && useradd --system --uid 10001 --gid mediahub --home-dir /app --shell /usr/sbin/nologin mediahub

WORKDIR /app

# The dependencies of pyproject.toml, in their own layer (rebuilt only when it changes).
# The code runs from /app (BASE_DIR: templates, var/), so the project itself is not installed.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --chown=mediahub:mediahub . .

USER mediahub

# Hashed, compressed static files baked into the image (WhiteNoise serves them). The
# production settings insist on these variables; placeholders suffice, nothing connects.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-never-used-to-serve-anything \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --noinput

EXPOSE 8000
# The Procfile's web process; compose.yaml and orchestrators give worker/beat/release theirs.
CMD ["gunicorn", "config.wsgi"]
