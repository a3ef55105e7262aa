/**
 * A local OTLP/HTTP receiver on a real socket, for the OpenTelemetry tests:
 * it keeps every payload Deno's built-in exporter posts to it, and gives the
 * environment that points a child process's exporter at it (`http/json`).
 *
 * @module
 */

/** A running {@linkcode startOtlpReceiver}. */
export interface OtlpReceiver extends AsyncDisposable {
  /** Every payload received, in order: `/v1/traces`, `/v1/metrics`, `/v1/logs`. */
  payloads: { path: string; body: string }[];
  /** `OTEL_*` variables (and `NO_COLOR`) for a child process that exports here. */
  env: Record<string, string>;
  /** Stops the receiver. */
  close(): Promise<void>;
}

/** Starts an {@linkcode OtlpReceiver} on a free loopback port. */
export function startOtlpReceiver(): OtlpReceiver {
  const payloads: { path: string; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    payloads.push({ path: new URL(req.url).pathname, body: await req.text() });
    return Response.json({});
  });
  const close = () => server.shutdown();
  return {
    payloads,
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
      OTEL_SERVICE_NAME: "ccgate-gateway-test",
      NO_COLOR: "1",
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
