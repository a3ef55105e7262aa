/**
 * Test helper: serves a handler on 127.0.0.1, port 0, and closes it on dispose.
 *
 * @module
 */

/** A running test server. */
export interface TestServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request seen, in order (method, path, form body for POSTs). */
  requests: { method: string; path: string; form?: URLSearchParams }[];
}

/** Serves `handler` on a free loopback port; records requests. */
export function serve(
  handler: (request: Request, form: URLSearchParams | undefined) => Response | Promise<Response>,
): TestServer {
  const requests: TestServer["requests"] = [];
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const form = request.method === "POST"
        ? new URLSearchParams(await request.text())
        : undefined;
      requests.push({ method: request.method, path: url.pathname, form });
      return await handler(request, form);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}
