# The TicketStock service (ticket consumer or mail sender, chosen by `run --role`).
# It installs the package the way the README's `make install` does, `pip install .`,
# from the same files the source distribution holds.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --home-dir /var/lib/ticketstock --uid 10001 ticketstock

WORKDIR /src
COPY pyproject.toml README.md ./
COPY consumer/ consumer/
COPY schemas/ schemas/
RUN pip install .

# Relative paths in the settings (the SQLite sent-ledger, the mail folder) land in
# /var/lib/ticketstock/var, which compose.yaml keeps in a volume.
USER ticketstock
WORKDIR /var/lib/ticketstock
RUN mkdir -p var

# /metrics, /healthz and /readyz. A published port reaches them only when
# TICKETSTOCK_HTTP_HOST is 0.0.0.0, as compose.yaml sets it.
EXPOSE 9464

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TICKETSTOCK_HTTP_PORT', '9464'), timeout=4)"]

ENTRYPOINT ["ticketstock"]
CMD ["run", "--role", "all"]
