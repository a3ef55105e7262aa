import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { missing, recordingRunner } from "./_testing/recording_runner.ts";
import { storedSession } from "./_testing/session.ts";
import { TokenStoreError } from "./errors.ts";
import {
  WINDOWS_CREDENTIAL_PART_BYTES,
  WindowsCredentialTokenStore,
} from "./windows_credential_token_store.ts";
/** Plays Windows Credential Manager behind the PowerShell program: 2,560-byte blobs at most. */
function credentialManager() {
  const credentials = new Map<string, string>();
  const { runner, calls } = recordingRunner((call) => {
    assertEquals(call.command, "powershell.exe");
    assertEquals(call.args.slice(0, 5), [
      "-NoProfile",
      "-NonInteractive",
      "-ExecutionPolicy",
      "Bypass",
      "-EncodedCommand",
    ]);
    const request = JSON.parse(call.stdin!);
    const prefix = request.filter.replace(/\*$/, "");
    const matching = () => [...credentials.keys()].filter((t) => t.startsWith(prefix));
    if (request.op === "list") {
      return { stdout: matching().map((t) => `${t}\t${credentials.get(t)}\r\n`).join("") };
    }
    if (request.op === "write") {
      for (const w of request.writes) {
        if (new TextEncoder().encode(w.value).length > 2560) {
          return { code: 1, stderr: "The parameter is incorrect" };
        }
        credentials.set(w.target, w.value);
      }
      const kept = new Set(request.writes.map((w: { target: string }) => w.target));
      for (const t of matching()) if (!kept.has(t)) credentials.delete(t);
      return {};
    }
    for (const t of matching()) credentials.delete(t);
    return {};
  });
  return { runner, calls, credentials };
}

Deno.test("WindowsCredentialTokenStore splits a large session under Credential Manager's 2,560-byte limit", async () => {
  const { runner, calls, credentials } = credentialManager();
  const store = new WindowsCredentialTokenStore({ runner });
  const bigToken = "eyJ" + "a".repeat(9_000);
  const session = storedSession({ accessToken: bigToken });
  await store.save(session);
  assert(credentials.size >= 5, `expected several parts, got ${credentials.size}`);
  for (const value of credentials.values()) {
    assert(value.length <= WINDOWS_CREDENTIAL_PART_BYTES + 200);
  }
  assertEquals(await store.load(), session);

  const small = storedSession({ accessToken: "at-small" });
  await store.save(small);
  assertEquals(credentials.size, 2, "older parts are deleted");
  assertEquals(await store.load(), small);

  for (const call of calls) assert(!call.args.join(" ").includes(bigToken.slice(0, 50)));
  await store.clear();
  assertEquals(credentials.size, 0);
  assertEquals(await store.load(), undefined);
});

Deno.test("WindowsCredentialTokenStore detects a torn or tampered session as store_corrupt", async () => {
  const { runner, credentials } = credentialManager();
  const store = new WindowsCredentialTokenStore({ runner });
  await store.save(storedSession({ accessToken: "x".repeat(5000) }));
  const part = [...credentials.keys()].find((k) => k.endsWith("/1"))!;
  credentials.set(part, credentials.get(part)!.slice(1));
  const err = await assertRejects(() => store.load(), TokenStoreError);
  assertEquals(err.code, "store_corrupt");
  credentials.delete(part);
  const err2 = await assertRejects(() => store.load(), TokenStoreError);
  assertEquals(err2.code, "store_corrupt");
});

Deno.test("WindowsCredentialTokenStore reports a missing PowerShell as store_unavailable", async () => {
  const err = await assertRejects(
    () => new WindowsCredentialTokenStore({ runner: missing }).load(),
    TokenStoreError,
  );
  assertEquals(err.code, "store_unavailable");
});
