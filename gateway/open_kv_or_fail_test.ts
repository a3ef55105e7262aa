import { assert, assertEquals } from "../testing/assert.ts";
import { KV_OPEN_TIMEOUT_MS, kvOpenFailure, openKvOrFail } from "./open_kv_or_fail.ts";
import { closedPort } from "../testing/closed_port.ts";

const root = new URL("../", import.meta.url).pathname;
const TOKEN = "ddp_thisisthekvconnectaccesstoken0123456789";

/** Runs an entry point until it stops: its exit code and its stderr, trimmed. */
async function startUntilExit(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", entry],
    cwd: root,
    env: { NO_COLOR: "1", PORT: "0", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

/**
 * The failure is the one line at the end: the lines before it are the development banners (local
 * emulators) and warnings printed before KV is opened, never an uncaught error's trace.
 */
function assertNoStackTrace(stderr: string): void {
  assert(!stderr.includes("Uncaught") && !/^\s+at /m.test(stderr), stderr);
}

for (
  const [entry, prefix, env] of [
    ["main.ts", "ccgate", {}],
    ["gateway/main.ts", "ccgate gateway", { CCGATE_ISSUER: "http://127.0.0.1:1" }],
    ["auth/main.ts", "ccgate auth", {}],
  ] as const
) {
  Deno.test(`${entry} stops with one line when CCGATE_KV_PATH is in a missing folder`, async () => {
    const { code, stderr } = await startUntilExit(entry, {
      ...env,
      CCGATE_KV_PATH: "/nonexistent/dir/x.sqlite3",
    });
    assertEquals({ code, last: stderr.split("\n").at(-1) }, {
      code: 1,
      last:
        `${prefix}: Invalid setting CCGATE_KV_PATH: unable to open database file: /nonexistent/dir/x.sqlite3`,
    });
    assertNoStackTrace(stderr);
  });

  Deno.test(`${entry} stops with one line, no credentials, when a KV Connect URL is unreachable`, async () => {
    const port = closedPort();
    const { code, stderr } = await startUntilExit(entry, {
      ...env,
      CCGATE_KV_PATH: `http://kvuser:kvpassword@127.0.0.1:${port}/`,
      DENO_KV_ACCESS_TOKEN: TOKEN,
    });
    assertEquals(code, 1);
    assertNoStackTrace(stderr);
    const last = stderr.split("\n").at(-1)!;
    assert(
      last.startsWith(`${prefix}: Invalid setting CCGATE_KV_PATH: Could not open Deno KV`),
      stderr,
    );
    assert(last.includes(`127.0.0.1:${port}`), stderr);
    assert(!stderr.includes("kvpassword") && !stderr.includes("kvuser"), stderr);
    assert(!stderr.includes(TOKEN), stderr);
  });
}

Deno.test("kvOpenFailure() hides the access token and URL credentials wherever the error names them", () => {
  const error = new TypeError(
    `failed to connect to 'https://a:b@kv.example.com/x' (token ${TOKEN})\n  retry`,
  );
  assertEquals(
    kvOpenFailure("https://a:b@kv.example.com/x", error, { fromSetting: true, accessToken: TOKEN }),
    "Invalid setting CCGATE_KV_PATH: failed to connect to 'https://kv.example.com/x' (token ***) retry",
  );
});

Deno.test("kvOpenFailure() names the default location when CCGATE_KV_PATH is unset", () => {
  assertEquals(
    kvOpenFailure(".ccgate/kv.sqlite3", new Error("disk I/O error"), { fromSetting: false }),
    "Cannot open KV (.ccgate/kv.sqlite3; set CCGATE_KV_PATH to choose another): disk I/O error",
  );
  assertEquals(
    kvOpenFailure(undefined, new Error("quota"), { fromSetting: false }),
    "Cannot open KV (the deployment's KV; set CCGATE_KV_PATH to choose another): quota",
  );
});

Deno.test("openKvOrFail() returns the opened KV", async () => {
  const kv = await openKvOrFail(":memory:", {
    fromSetting: true,
    fail: (message) => {
      throw new Error(message);
    },
  });
  await kv.set(["k"], 1);
  assertEquals((await kv.get(["k"])).value, 1);
  kv.close();
});

Deno.test("openKvOrFail() stops with one line when KV has not answered within KV_OPEN_TIMEOUT_MS", async () => {
  const pending: { callback: () => void; ms: number }[] = [];
  const failed = openKvOrFail("https://user:secret@kv.example.com/db", {
    fromSetting: true,
    fail: (message) => {
      throw new Error(message);
    },
    openKv: () => new Promise<Deno.Kv>(() => {}), // a host that never answers
    timers: {
      setTimeout: (callback, ms) => pending.push({ callback, ms }),
      clearTimeout: () => {},
    },
  });
  assertEquals(pending.map((t) => t.ms), [KV_OPEN_TIMEOUT_MS]);
  pending[0]!.callback();
  const err = await failed.then(() => undefined, (e: Error) => e);
  assertEquals(err?.message, "Invalid setting CCGATE_KV_PATH: no answer within 30 s");
});

Deno.test("openKvOrFail() clears its deadline once KV is open", async () => {
  const cleared: number[] = [];
  const kv = await openKvOrFail(":memory:", {
    fromSetting: false,
    fail: (message) => {
      throw new Error(message);
    },
    timers: { setTimeout: () => 7, clearTimeout: (handle) => cleared.push(handle) },
  });
  kv.close();
  assertEquals(cleared, [7]);
});
