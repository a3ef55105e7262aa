import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { missing, recordingRunner } from "./_testing/recording_runner.ts";
import { storedSession } from "./_testing/session.ts";
import { TokenStoreError } from "./errors.ts";
import { SecretServiceTokenStore } from "./secret_service_token_store.ts";
function secretsOf(session = storedSession()): string[] {
  return [session.accessToken, session.refreshToken!];
}

Deno.test("SecretServiceTokenStore stores through secret-tool with the secret on stdin", async () => {
  const session = storedSession();
  let secret = "";
  const { runner, calls } = recordingRunner((call) => {
    if (call.args[0] === "store") secret = call.stdin!;
    if (call.args[0] === "lookup") return secret ? { stdout: secret } : { code: 1 };
    return {};
  });
  const store = new SecretServiceTokenStore({ runner });
  assertEquals(await store.load(), undefined);
  await store.save(session);
  assertEquals(await store.load(), session);
  await store.clear();
  assertEquals(calls[1]!.args, [
    "store",
    "--label=ccgate session",
    "service",
    "ccgate",
    "account",
    "session",
  ]);
  for (const call of calls) {
    for (const s of secretsOf(session)) assert(!call.args.join(" ").includes(s));
  }
  assertEquals(calls[3]!.args, ["clear", "service", "ccgate", "account", "session"]);
});

Deno.test("SecretServiceTokenStore reports a missing D-Bus session as store_unavailable", async () => {
  const { runner } = recordingRunner(() => ({
    code: 1,
    stderr: "secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY\n",
  }));
  const err = await assertRejects(
    () => new SecretServiceTokenStore({ runner }).load(),
    TokenStoreError,
  );
  assertEquals(err.code, "store_unavailable");
  const err2 = await assertRejects(
    () => new SecretServiceTokenStore({ runner: missing }).save(storedSession()),
    TokenStoreError,
  );
  assertEquals(err2.code, "store_unavailable");
});
