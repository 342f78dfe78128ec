# One image for the API and the worker; the command picks which:
#   docker run IMAGE migrate        (a separate step, before new code serves)
#   docker run IMAGE serve          (the HTTP API)
#   docker run IMAGE worker         (the scheduler process)
#   docker run IMAGE check-config   (validate the configuration, start nothing)
# Inside mainland China, build with mirrors, e.g.
#   docker build --build-arg PIP_INDEX_URL=https://mirrors.aliyun.com/pypi/simple \
#                --build-arg APT_MIRROR=https://mirrors.aliyun.com .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: install the package and its pinned dependencies into a virtual environment ---
FROM ${PYTHON_IMAGE} AS build
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_INDEX_URL=${PIP_INDEX_URL}
WORKDIR /src
COPY pyproject.toml README.md ./
COPY .ci/constraints.txt .ci/constraints.txt
COPY backend ./backend
COPY miniprogram_api ./miniprogram_api
COPY jobs ./jobs
# tests/ is not copied: the runtime image carries no test code or stand-ins.
RUN python -m venv /opt/jobready \
    && /opt/jobready/bin/pip install -c .ci/constraints.txt .

# --- runtime: the environment, a CJK font for certificates, a non-root user ---
FROM ${PYTHON_IMAGE} AS runtime
ARG APT_MIRROR=
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/jobready/bin:$PATH
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN if [ -n "$APT_MIRROR" ]; then \
        sed -i "s|http://deb.debian.org|${APT_MIRROR}|g" /etc/apt/sources.list.d/debian.sources; \
    fi \
    && apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei=0.2.0-beta-3.1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --create-home --shell /usr/sbin/nologin jobready \
    && mkdir -p /var/lib/jobready/evidence /var/lib/jobready/materials \
    && chown -R jobready /var/lib/jobready
COPY --from=build /opt/jobready /opt/jobready
WORKDIR /app
USER 10001
EXPOSE 8000
# The API answers /api/v1/health; the worker's service overrides this in compose.yaml.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2)"]
ENTRYPOINT ["jobready"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
