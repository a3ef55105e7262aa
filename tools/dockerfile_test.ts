import { assertEquals } from "../testing/assert.ts";

const DOCKERFILE = new URL("../Dockerfile", import.meta.url);

/** The Dockerfile's HEALTHCHECK command, as the exec-form JSON array it is. */
async function healthcheck(): Promise<string[]> {
  const text = await Deno.readTextFile(DOCKERFILE);
  const line = text.split("\n").find((l) => l.startsWith("HEALTHCHECK "));
  if (line === undefined) throw new Error("Dockerfile has no HEALTHCHECK");
  return JSON.parse(line.slice(line.indexOf("CMD ") + 4));
}

async function runCheck(port: number): Promise<number> {
  const [cmd, ...args] = await healthcheck();
  assertEquals(cmd, "deno");
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    env: { PORT: String(port) },
    stdout: "null",
    stderr: "null",
  }).output();
  return code;
}

Deno.test("Dockerfile's HEALTHCHECK asks /healthz on the port PORT names", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new URL(req.url).pathname === "/healthz"
        ? new Response("ok")
        : new Response("no", { status: 404 }),
  );
  assertEquals(await runCheck(server.addr.port), 0);
});

Deno.test("Dockerfile's HEALTHCHECK fails, without a stack trace, when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  assertEquals(await runCheck(port), 1);
});
