# ccgate for companies that self-host instead of Deno Deploy: the same main.ts (gateway + auth).
# Several instances share state through one KV: set CCGATE_KV_PATH to a KV Connect URL
# (https://<your-denokv>/) and DENO_KV_ACCESS_TOKEN, or mount one volume per single instance.
FROM denoland/deno:2.9.6

WORKDIR /app
COPY deno.json deno.lock ./
COPY gateway/ gateway/
COPY auth/ auth/
COPY client/ client/
COPY installer/ installer/
COPY emulators/ emulators/
COPY main.ts compose_app.ts server_env.ts production_settings.ts ./
RUN deno install --frozen --entrypoint main.ts

ENV CCGATE_ENV=production \
    HOSTNAME=0.0.0.0 \
    PORT=8080 \
    CCGATE_KV_PATH=/data/kv.sqlite3
RUN mkdir -p /data && chown deno:deno /data
VOLUME /data
USER deno
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["deno", "eval", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT') || '8080'}/healthz`).catch(() => null); Deno.exit(r?.ok ? 0 : 1)"]
CMD ["deno", "run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys", "main.ts"]
