# Waymark container image: a cgo build (SQLite) on Debian, run as a
# non-root user with all state in the /data volume.
#
#   docker build -t waymark .
#   docker run -p 8000:8000 -v waymark-data:/data waymark
#
# Configure with WAYMARK_* environment variables (see .env.example), for
# example --env-file .env.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same script runs in CI (.ci/run), so a broken build step fails there.
RUN WAYMARK_VERSION="$VERSION" scripts/docker-build-steps.sh /out

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates tzdata \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --user-group --home-dir /data --no-create-home waymark \
	&& mkdir /data \
	&& chown waymark:waymark /data
COPY --from=build /out/web /usr/local/bin/web

ENV WAYMARK_ADDR=:8000 \
	WAYMARK_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
USER waymark
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
	CMD ["/usr/local/bin/web", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/web"]
CMD ["serve"]
