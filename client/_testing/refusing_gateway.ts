/**
 * Test helper: a gateway on a real socket that is up and refuses every
 * token, as one does after its session was revoked, and keeps the
 * `Authorization` headers it was sent.
 *
 * @module
 */

/** Starts it; `authorizations` lists the `Authorization` header of each request that had one. */
export function refusingGateway() {
  const authorizations: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const authorization = req.headers.get("authorization");
    if (authorization !== null) authorizations.push(authorization);
    if (new URL(req.url).pathname === "/healthz") return Response.json({ status: "ok" });
    const error = {
      type: "authentication_error",
      message: "Invalid access token: the session was revoked",
    };
    return Response.json({ type: "error", error }, { status: 401 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    authorizations,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
