# The production image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 DJANGO_SETTINGS_MODULE=twinning.settings

# Pango and HarfBuzz for WeasyPrint (libharfbuzz-subset0 makes font subsetting fast),
# a Chinese font embedded in every bulletin, gettext for the translations, librsvg2-bin
# (rsvg-convert: the charts of the Word edition as images).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
      fonts-arphic-gkai00mp fonts-arphic-ukai gettext librsvg2-bin \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install .
COPY . .
RUN ALLOW_DEV_SECRET_KEY=true python manage.py compilemessages --ignore=.venv \
 && ALLOW_DEV_SECRET_KEY=true python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app twinning \
 && mkdir -p /app/var/media && chown -R twinning /app/var

USER twinning
EXPOSE 8000
CMD ["gunicorn", "twinning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--timeout", "60"]
