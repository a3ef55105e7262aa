import { assert, assertEquals } from "../../testing/assert.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { seedFileSession } from "../_testing/seed_file_session.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runCliProcess } from "../_testing/cli.ts";
import { verifyAccessToken } from "../verify_access_token.ts";

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
