# Build a static binary, then run it alone as a non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/consult ./cmd/consult

FROM scratch
# CA roots for SMTP over TLS and managed PostgreSQL with sslmode=verify-full.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/consult /consult
# Time zone data is compiled into the binary (time/tzdata), so scratch is enough.
USER 65532:65532
ENV LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD ["/consult", "healthcheck"]
ENTRYPOINT ["/consult"]
CMD ["serve"]
