/**
 * The auth service as several instances over one KV: two `auth/main.ts`
 * processes opening one KV file (`CCGATE_KV_PATH`), standing in for Deno
 * Deploy's isolates or self-hosted instances on one KV Connect URL.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { openSigningKeys } from "./signing_keys.ts";
import { type Instance, startMultiInstanceStack } from "../testing/multi_instance_stack.ts";

interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

async function refresh(auth: Instance, refreshToken: string, clientId: string): Promise<Answer> {
  const response = await fetch(`${auth.url}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: clientId,
    }),
  });
  return { status: response.status, body: await response.json() };
}

function userOid(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
}

Deno.test("auth/main.ts x2 on one KV file: 40 users signing in, refreshing on both instances by turns and logging out at once all succeed (no 500 when the file is busy)", async () => {
  await using stack = await startMultiInstanceStack({ auths: 2, gateways: 0 });
  const clientId = stack.entra.cliClientId;
  const failures: string[] = [];
  const user = async (i: number) => {
    let grant;
    try {
      grant = await stack.signIn({ oid: userOid(i) }, stack.auths[i % 2]);
    } catch (err) {
      failures.push(String(err));
      return;
    }
    let token = grant.refreshToken;
    for (let k = 0; k < 5; k++) {
      const answer = await refresh(stack.auths[(i + k) % 2]!, token, clientId);
      if (answer.status !== 200) {
        failures.push(`refresh ${answer.status} ${JSON.stringify(answer.body)}`);
        return;
      }
      token = answer.body.refresh_token;
    }
    const revoke = await fetch(`${stack.auths[(i + 1) % 2]!.url}/oauth/revoke`, {
      method: "POST",
      body: new URLSearchParams({ token, client_id: clientId }),
    });
    await revoke.body?.cancel();
    if (revoke.status !== 200) failures.push(`revoke ${revoke.status}`);
  };
  await Promise.all(Array.from({ length: 40 }, (_, i) => user(i)));
  const logs = stack.auths.map((a) => a.process.output()).join("\n");
  assertEquals(failures, [], logs.split("\n").filter((l) => l.includes('"error"')).join("\n"));
  assert(!logs.includes("database is locked"), logs);
});

Deno.test("auth/main.ts x2 on one KV file: refreshes racing on both instances get one successor", async () => {
  // The longest grace window: the race is inside it however slow the machine.
  await using stack = await startMultiInstanceStack({
    auths: 2,
    gateways: 0,
    authEnv: { CCGATE_REFRESH_GRACE: "5m" },
  });
  const clientId = stack.entra.cliClientId;
  const [a, b] = stack.auths as [Instance, Instance];
  const { refreshToken } = await stack.signIn(undefined, a);
  const racing = await Promise.all(
    [a, b, a, b, a, b].map((auth) => refresh(auth, refreshToken, clientId)),
  );
  assertEquals(racing.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  const successors = new Set(racing.map((r) => r.body.refresh_token));
  assertEquals(successors.size, 1, "every racer holds the same, current token");
});

Deno.test("auth/main.ts x2 on one KV file: a rotated refresh token replayed after the grace window on the other instance revokes the session there and here", async () => {
  await using stack = await startMultiInstanceStack({
    auths: 2,
    gateways: 0,
    authEnv: { CCGATE_REFRESH_GRACE: "5s" },
  });
  const clientId = stack.entra.cliClientId;
  const [a, b] = stack.auths as [Instance, Instance];
  const { refreshToken } = await stack.signIn(undefined, a);
  const rotated = await refresh(a, refreshToken, clientId);
  assertEquals(rotated.status, 200);
  const successor: string = rotated.body.refresh_token;
  // Past the grace window (a wait of at least it: no upper bound), the rotated token is reuse.
  await new Promise((resolve) => setTimeout(resolve, 5_500));
  const replay = await refresh(b, refreshToken, clientId);
  assertEquals([replay.status, replay.body.error], [400, "invalid_grant"]);
  for (const auth of [a, b]) {
    const after = await refresh(auth, successor, clientId);
    assertEquals([after.status, after.body.error], [400, "invalid_grant"], auth.url);
  }
});

Deno.test("openSigningKeys() rotating in three processes at once on one KV file leaves one consistent ring: exactly previous, current and next stored, and every process saw the rotations in one order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite3`;
    const child = new URL("../testing/rotate_keys_child.ts", import.meta.url).pathname;
    const children = [0, 1, 2].map(() =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", child, path, "10"],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn()
    );
    const outputs = children.map((c) => c.stdout.pipeThrough(new TextDecoderStream()).getReader());
    // One after another: the first creates the ring, the others read it.
    for (const output of outputs) assertEquals((await output.read()).value?.trim(), "ready");
    for (const c of children) {
      const writer = c.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
    }
    const results: { current: string[]; token: string }[] = [];
    for (const [i, output] of outputs.entries()) {
      let text = "";
      for (;;) {
        const { value, done } = await output.read();
        if (done) break;
        text += value;
      }
      assertEquals((await children[i]!.status).code, 0);
      results.push(JSON.parse(text));
    }

    using kv = await Deno.openKv(path);
    const ring = (await kv.get<{ previous: string; current: string; next: string }>(["key_ring"]))
      .value!;
    const stored: string[] = [];
    for await (const entry of kv.list({ prefix: ["keys"] })) stored.push(entry.key[1] as string);
    assertEquals(stored.sort(), [ring.previous, ring.current, ring.next].sort());
    // What each process saw as current is a walk along one chain of keys: two processes that both
    // saw two kids saw them in the same order.
    const order = (seen: string[], a: string, b: string) =>
      Math.sign(seen.indexOf(a) - seen.indexOf(b));
    for (const x of results) {
      for (const y of results) {
        const common = x.current.filter((k) => y.current.includes(k));
        for (const a of common) {
          for (const b of common) assertEquals(order(x.current, a, b), order(y.current, a, b));
        }
      }
    }
    assertEquals(results.flatMap((r) => r.current).includes(ring.current), true);
    const keys = await openSigningKeys(kv);
    const { jwtVerify } = await import("jose");
    const { protectedHeader } = await jwtVerify(await keys.sign({ sub: "u" }), keys.getKey);
    assertEquals(protectedHeader.kid, ring.current);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
