/**
 * The server entry points in production: `CCGATE_KV_PATH=:memory:` stops the
 * start with one line; an open `/metrics` is warned about once; the banner
 * names the address actually bound and `ccgate login` to sign in.
 */
import { assert, assertEquals, assertMatch } from "./testing/assert.ts";
import { PRODUCTION_ENV as PRODUCTION } from "./testing/production_env.ts";
import { withTempDir } from "./testing/with_temp_dir.ts";

const root = new URL("./", import.meta.url).pathname;
const PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys"];

async function run(entry: string, env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, entry],
    cwd: root,
    env,
    clearEnv: true,
    // Only turns a start that wrongly goes on serving into a failure, instead of a hang.
    signal: AbortSignal.timeout(60_000),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

const MEMORY_REFUSED =
  'Invalid setting CCGATE_KV_PATH: ":memory:" is not allowed in production (signing keys, sessions and the usage ledger would be lost at every restart and differ between instances); use a file path or a KV Connect URL';

Deno.test("main.ts, gateway/main.ts and auth/main.ts refuse CCGATE_KV_PATH=:memory: in production with one line", async () => {
  const cases: [string, string][] = [
    ["main.ts", "ccgate"],
    ["gateway/main.ts", "ccgate gateway"],
    ["auth/main.ts", "ccgate auth"],
  ];
  for (const [entry, prefix] of cases) {
    const { code, stderr } = await run(entry, { ...PRODUCTION, CCGATE_KV_PATH: ":memory:" });
    assertEquals(code, 1, `${entry}: ${stderr}`);
    assertEquals(stderr, `${prefix}: ${MEMORY_REFUSED}`);
  }
});

Deno.test("main.ts in production names the address it binds and warns once that /metrics is open", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, "main.ts"],
      cwd: root,
      env: { ...PRODUCTION, CCGATE_KV_PATH: `${dir}/kv.sqlite3` },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    try {
      // The banner ends with its rule after the sign-in line; the warnings are written before it.
      while (!/Sign in:.*\n=+\n/.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
    } finally {
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      await child.status;
    }
    assertMatch(
      seen,
      /ccgate listening on http:\/\/0\.0\.0\.0:(\d+) \(from this machine: http:\/\/127\.0\.0\.1:\1\)/,
    );
    // Production users sign in with the ccgate binary, at the public URL.
    assertMatch(seen, /\n {2}Sign in: {2}ccgate login --url https:\/\/ccgate\.example\.com\n/);
    const warnings = seen.split("\n").filter((line) => line.includes("CCGATE_METRICS_TOKEN"));
    assertEquals(warnings.length, 1, seen);
    const warning = JSON.parse(warnings[0]!);
    assertEquals(warning.level, "warn");
    assert(warning.msg.startsWith("CCGATE_METRICS_TOKEN is not set: /metrics is open"));
  });
});
