import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { missing, recordingRunner } from "./_testing/recording_runner.ts";
import { storedSession } from "./_testing/session.ts";
import { TokenStoreError } from "./errors.ts";
import { MacKeychainTokenStore } from "./macos_keychain_token_store.ts";
function secretsOf(session = storedSession()): string[] {
  return [session.accessToken, session.refreshToken!];
}

Deno.test("MacKeychainTokenStore saves through security -i on stdin, never in arguments", async () => {
  const session = storedSession({ accessToken: "at-secret", refreshToken: "rt-secret" });
  let saved = "";
  const { runner, calls } = recordingRunner((call) => {
    if (call.args[0] === "-i") {
      saved = /-w "([^"]+)"/.exec(call.stdin!)![1]!;
      return {};
    }
    if (call.args[0] === "find-generic-password") return { stdout: saved + "\n" };
    return {};
  });
  const store = new MacKeychainTokenStore({ runner });
  await store.save(session);
  assertEquals(await store.load(), session);
  await store.clear();
  assertEquals(calls.map((c) => [c.command, c.args[0]]), [
    ["security", "-i"],
    ["security", "find-generic-password"],
    ["security", "delete-generic-password"],
  ]);
  assert(calls[0]!.stdin!.startsWith('add-generic-password -U -s "ccgate" -a "session" '));
  for (const call of calls) {
    for (const secret of secretsOf(session)) {
      assert(!call.args.join(" ").includes(secret), "a secret reached the command line");
    }
  }
  assertEquals(calls[1]!.args, ["find-generic-password", "-s", "ccgate", "-a", "session", "-w"]);
});

Deno.test("MacKeychainTokenStore treats exit 44 as no session and a missing tool as store_unavailable", async () => {
  const { runner } = recordingRunner(() => ({ code: 44, stderr: "could not be found" }));
  const store = new MacKeychainTokenStore({ runner });
  assertEquals(await store.load(), undefined);
  await store.clear();
  const err = await assertRejects(
    () => new MacKeychainTokenStore({ runner: missing }).load(),
    TokenStoreError,
  );
  assertEquals(err.code, "store_unavailable");
  const { runner: failing } = recordingRunner(() => ({
    code: 51,
    stderr: "User interaction is not allowed.",
  }));
  const err2 = await assertRejects(
    () => new MacKeychainTokenStore({ runner: failing }).load(),
    TokenStoreError,
  );
  assertEquals(err2.code, "store_failed");
  assertEquals(err2.message, "Cannot read the macOS Keychain: User interaction is not allowed.");
});
