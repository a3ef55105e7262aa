import { assert, assertEquals } from "../../testing/assert.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runCliProcess } from "../_testing/cli.ts";
import { verifyAccessToken } from "../verify_access_token.ts";
import { revoke } from "../revoke.ts";
import { capturedDeps } from "./_fake_deps.ts";
import { runCli } from "./run_cli.ts";
import { ASKED_AGAIN_MS } from "./token_handout.ts";

/** Moves the stored expiry to `ms` from now: the session is at the refresh boundary. */
async function expireIn(dir: string, ms: number): Promise<void> {
  const store = new FileTokenStore(`${dir}/session.json`);
  const session = (await store.load())!;
  await store.save({ ...session, expiresAt: Date.now() + ms });
}

Deno.test("ccgate token prints only the cached token and a newline, without a request", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    const stored = await new FileTokenStore(`${dir}/session.json`).load();
    const before = { ...stack.counts };
    const run = await runCliProcess(["token"], { CCGATE_CONFIG_DIR: dir });
    assertEquals(run.stderr, "");
    assertEquals(run.code, 0);
    assertEquals(run.stdout, `${stored!.accessToken}\n`);
    assertEquals(stack.counts, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token: 10 concurrent processes at the refresh boundary cause one refresh", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    await expireIn(dir, 60_000);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => runCliProcess(["token"], { CCGATE_CONFIG_DIR: dir })),
    );
    for (const run of runs) {
      assertEquals(run.stderr, "");
      assertEquals(run.code, 0);
    }
    assertEquals(stack.counts.refresh, 1);
    const printed = new Set(runs.map((r) => r.stdout));
    assertEquals(printed.size, 1, "every process printed the successor");
    const token = [...printed][0]!.trimEnd();
    const claims = await verifyAccessToken(token, {
      key: new URL(`${stack.url}/.well-known/jwks.json`),
      issuer: stack.url,
      audience: "ccgate",
    });
    assertEquals(claims.sub, "oid-alice");
    const stored = await new FileTokenStore(`${dir}/session.json`).load();
    assertEquals(stored?.accessToken, token);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token without a session exits 3 with one line on stderr and nothing on stdout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await runCliProcess(["token"], { CCGATE_CONFIG_DIR: dir });
    assertEquals(run.code, 3);
    assertEquals(run.stdout, "");
    assertEquals(run.stderr.split("\n"), [
      "ccgate: Not signed in or session ended: run `ccgate login`",
      "",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token asks for login when the auth service has ended the session", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    const store = new FileTokenStore(`${dir}/session.json`);
    const session = (await store.load())!;
    await store.save({ ...session, refreshToken: "ccgr_forged", expiresAt: Date.now() - 1 });
    const run = await runCliProcess(["token"], { CCGATE_CONFIG_DIR: dir });
    assertEquals(run.code, 3);
    assertEquals(run.stdout, "");
    assert(run.stderr.includes("run `ccgate login`"));
    assertEquals(run.stderr.trimEnd().split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token's static import graph holds nothing heavy", async () => {
  const root = new URL("../../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "client/cli/main.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  type Dep = { specifier: string; code?: { specifier: string }; isDynamic?: boolean };
  type Mod = { specifier: string; dependencies?: Dep[]; npmPackage?: string };
  const modules = new Map<string, Mod>(info.modules.map((m: Mod) => [m.specifier, m]));
  const resolve = (specifier: string) => info.redirects?.[specifier] ?? specifier;
  const reached = new Set<string>();
  const visit = (specifier: string) => {
    specifier = resolve(specifier);
    if (reached.has(specifier)) return;
    reached.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code) visit(dep.code.specifier);
    }
  };
  visit(new URL("client/cli/main.ts", root).href);
  visit(new URL("client/cli/token_command.ts", root).href);
  const heavy = [...reached].filter((s) =>
    /hono|aws-sdk|smithy|@clack|commander|oauth4webapi|jose|zod|anthropic/.test(s)
  );
  assertEquals(heavy, []);
  assert(reached.has(new URL("client/token_session.ts", root).href));
});

/** `ccgate token` in this process at the clock `at()` gives; its output and exit code. */
async function tokenAt(
  dir: string,
  at: number,
): Promise<{ code: number; out: string; err: string }> {
  const deps = capturedDeps({ CCGATE_CONFIG_DIR: dir });
  deps.now = () => new Date(at);
  const code = await runCli(["token"], deps);
  return { code, out: deps.out.join(""), err: deps.err.join("") };
}

Deno.test("ccgate token refreshes a token asked for again soon, unless it is younger than a minute", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    const t = Date.now(); // the session's token was issued now
    const first = await tokenAt(dir, t + 100_000);
    assertEquals([first.code, stack.counts.refresh], [0, 0]);
    // Claude Code asks again at once after a 401: a successor, in case the session has ended.
    const again = await tokenAt(dir, t + 105_000);
    assertEquals([again.code, stack.counts.refresh], [0, 1]);
    assert(again.out !== first.out);
    const stored = await new FileTokenStore(`${dir}/session.json`).load();
    assertEquals(again.out, `${stored!.accessToken}\n`);
    // Asked again for a token refreshed 5 s ago: the same token, no request.
    assertEquals(await tokenAt(dir, t + 110_000), { code: 0, out: again.out, err: "" });
    assertEquals(stack.counts.refresh, 1);
    const later = await tokenAt(dir, t + 170_000);
    assertEquals(stack.counts.refresh, 2);
    assert(later.out !== again.out);
    // Asked after the usual wait (Claude Code's helper TTL): the cached token, no request.
    assertEquals(await tokenAt(dir, t + 170_000 + ASKED_AGAIN_MS), {
      code: 0,
      out: later.out,
      err: "",
    });
    assertEquals(stack.counts.refresh, 2);
    // What it keeps in the folder is no token.
    const kept = await Deno.readTextFile(`${dir}/token_handout.json`);
    assert(!kept.includes(later.out.trimEnd()));
    assertEquals((await Deno.stat(`${dir}/token_handout.json`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token asked again for the token of a revoked session asks for login at once", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    const t = Date.now();
    const first = await tokenAt(dir, t + 100_000);
    assertEquals(first.code, 0);
    // An admin (or a detected refresh-token reuse) ends the session; the token has an hour left.
    const stored = (await new FileTokenStore(`${dir}/session.json`).load())!;
    await revoke(`${stack.url}/oauth/revoke`, stored.refreshToken!);
    // The gateway refuses the token; Claude Code runs its apiKeyHelper again.
    const again = await tokenAt(dir, t + 102_000);
    assertEquals(again.code, 3);
    assertEquals(again.out, "");
    assertEquals(again.err, "ccgate: Not signed in or session ended: run `ccgate login`\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ccgate token: five asked again at once refresh once, and all print the successor", async () => {
  await using stack = await startAuthStack();
  const dir = await Deno.makeTempDir();
  try {
    await seedFileSession(stack, dir);
    const t = Date.now();
    await tokenAt(dir, t + 100_000);
    const runs = await Promise.all(Array.from({ length: 5 }, () => tokenAt(dir, t + 101_000)));
    assertEquals(stack.counts.refresh, 1);
    const stored = await new FileTokenStore(`${dir}/session.json`).load();
    for (const run of runs) {
      assertEquals(run, { code: 0, out: `${stored!.accessToken}\n`, err: "" });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
