import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ListenError } from "./errors.ts";
import { listenAddress, listenFirst, listenFirstOrFail, yieldToRequests } from "./listen_first.ts";

Deno.test("listenAddress() reads PORT and HOSTNAME as server_env.ts accepts them", () => {
  assertEquals(listenAddress({}, "127.0.0.1"), { hostname: "127.0.0.1", port: 8080 });
  assertEquals(listenAddress({ PORT: "0" }, "0.0.0.0"), { hostname: "0.0.0.0", port: 0 });
  assertEquals(listenAddress({ PORT: "65535", HOSTNAME: " ::1 " }, "127.0.0.1"), {
    hostname: "::1",
    port: 65_535,
  });
});

Deno.test("listenAddress() leaves settings that are not plainly valid to the full check", () => {
  for (const env of [{ PORT: "soon" }, { PORT: "65536" }, { PORT: "-1" }, { HOSTNAME: " " }]) {
    assertEquals(listenAddress(env, "127.0.0.1"), undefined, JSON.stringify(env));
  }
});

Deno.test("listenFirst() answers /healthz while starting, /readyz 503, then the installed app", async () => {
  const { server, serve } = listenFirst({ hostname: "127.0.0.1", port: 0 });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const health = await fetch(`${url}/healthz`);
    assertEquals([health.status, await health.json()], [200, { status: "ok" }]);
    const ready = await fetch(`${url}/readyz`);
    assertEquals([ready.status, (await ready.json()).status], [503, "not_ready"]);

    serve((request) => new Response(`app ${new URL(request.url).pathname}`));
    await yieldToRequests();
    assertEquals(await (await fetch(`${url}/readyz`)).text(), "app /readyz");
    assertEquals(await (await fetch(`${url}/healthz`)).text(), "app /healthz");
  } finally {
    await server.shutdown();
  }
});

Deno.test("listenFirst() holds a request that arrives while starting and gives it to the app", async () => {
  const early = listenFirst({ hostname: "127.0.0.1", port: 0 });
  try {
    const url = `http://127.0.0.1:${early.server.addr.port}`;
    const answer = fetch(`${url}/v1/messages`, { method: "POST", body: "{}" });
    // Waits until the server has the request (a condition, not a time).
    while (early.held === 0) await yieldToRequests();
    early.serve(async (request) => new Response(`app got ${await request.text()}`));
    const res = await answer;
    assertEquals([res.status, await res.text()], [200, "app got {}"]);
    assertEquals(early.held, 0);
  } finally {
    await early.server.shutdown();
  }
});

Deno.test("yieldToRequests() hands a request already sent to the server before it resolves", async () => {
  const early = listenFirst({ hostname: "127.0.0.1", port: 0 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: early.server.addr.port });
  try {
    const request = "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}";
    await conn.write(new TextEncoder().encode(request));
    // One call, no loop: the request must reach the handler within the turns it gives.
    await yieldToRequests();
    assertEquals(early.held, 1);
    early.serve(() => new Response("app"));
    const answer = new Uint8Array(1024);
    const n = await conn.read(answer);
    assertEquals(
      new TextDecoder().decode(answer.subarray(0, n ?? 0)).split("\r\n")[0],
      "HTTP/1.1 200 OK",
    );
  } finally {
    conn.close();
    await early.server.shutdown();
  }
});

Deno.test("listenFirst() answers 503 overloaded_error to a request that waited holdMs", async () => {
  const { server } = listenFirst({ hostname: "127.0.0.1", port: 0 }, { holdMs: 0 });
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/v1/messages`, {
      method: "POST",
      body: "{}",
    });
    assertEquals(res.status, 503);
    assertEquals(res.headers.get("retry-after"), "1");
    assertEquals((await res.json()).error.type, "overloaded_error");
  } finally {
    await server.shutdown();
  }
});

Deno.test("listenFirst() throws a ListenError with one line when the port is taken; listenFirstOrFail() hands it to fail", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const address = { hostname: "127.0.0.1", port: (taken.addr as Deno.NetAddr).port };
  const err = assertThrows(() => listenFirst(address), ListenError);
  assertEquals(
    err.message,
    `127.0.0.1:${address.port} is already in use: stop what listens there, or set PORT`,
  );
  const said: string[] = [];
  assertThrows(
    () =>
      listenFirstOrFail(address, (message) => {
        said.push(message);
        throw new Error("stopped");
      }),
    Error,
    "stopped",
  );
  assertEquals(said, [err.message]);
});

Deno.test("listenFirst() logs a response body that fails mid-way as one JSON line on stderr, never a stack", async () => {
  // A child process: what Deno itself prints goes to the real stderr, which is what is checked.
  const script = `
    import { listenFirst } from ${
    JSON.stringify(new URL("./listen_first.ts", import.meta.url).href)
  };
    const { server, serve } = listenFirst({ hostname: "127.0.0.1", port: 0 });
    let n = 0;
    serve(() => new Response(new ReadableStream({
      pull(c) {
        if (n++ === 0) return c.enqueue(new TextEncoder().encode("user,model\\r\\n"));
        throw new TypeError("Start key is greater than end key");
      },
    }, { highWaterMark: 0 })));
    const res = await fetch("http://127.0.0.1:" + server.addr.port + "/admin/api/entries");
    const cut = await res.text().then(() => false, () => true);
    console.log(JSON.stringify({ status: res.status, cut }));
    await server.shutdown();
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(JSON.parse(stdout), { status: 200, cut: true }, "the client sees a cut transfer");
  const lines = stderr.split("\n").filter((line) => line !== "");
  assertEquals(lines.length, 1, stderr);
  const record = JSON.parse(lines[0]!);
  assertEquals([record.level, record.msg, record.error, record.detail], [
    "error",
    "response failed",
    "TypeError",
    "Start key is greater than end key",
  ]);
});
