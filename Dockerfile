# One image for the API and the worker; the command picks which:
#   docker run IMAGE migrate      (a separate step, before api/worker start)
#   docker run IMAGE serve        (the HTTP API)
#   docker run IMAGE worker       (the scheduler process)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A font that draws Chinese, for the certificate images.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY .ci/constraints.txt .ci/constraints.txt
COPY backend ./backend
COPY miniprogram_api ./miniprogram_api
COPY jobs ./jobs
COPY tests ./tests
RUN pip install -c .ci/constraints.txt . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin jobready \
    && mkdir -p /var/lib/jobready/evidence \
    && chown -R jobready /app /var/lib/jobready

USER jobready
EXPOSE 8000
ENTRYPOINT ["jobready"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
