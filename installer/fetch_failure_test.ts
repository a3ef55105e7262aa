import { assertEquals } from "../testing/assert.ts";
import { closedPort } from "../testing/closed_port.ts";
import { fetchFailure } from "./fetch_failure.ts";

Deno.test("fetchFailure() names a refused connection and a timeout instead of 'fetch failed'", async () => {
  const refused = await fetch(`http://127.0.0.1:${closedPort()}/healthz`).catch((e) => e);
  assertEquals(refused.message, "fetch failed");
  assertEquals(fetchFailure(refused), "connection refused");
  // A server that accepts the request and never answers.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const silent = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50) })
      .catch((e) => e);
    assertEquals(fetchFailure(silent), "no answer in time");
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});

Deno.test("fetchFailure() keeps the reason of another failure, without Deno's prefix and URL", () => {
  const err = new TypeError("fetch failed", {
    cause: new Error(
      "error sending request for url (https://ccgate.example.com/healthz): client error (Connect): invalid peer certificate: UnknownIssuer",
    ),
  });
  assertEquals(
    fetchFailure(err),
    "client error (Connect): invalid peer certificate: UnknownIssuer",
  );
  assertEquals(
    fetchFailure(
      new TypeError("fetch failed", {
        cause: new Error("dns error: failed to lookup address information"),
      }),
    ),
    "the host name does not resolve",
  );
  assertEquals(fetchFailure(new TypeError("Invalid URL")), "Invalid URL");
});
