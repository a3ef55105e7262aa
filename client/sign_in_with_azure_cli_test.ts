import { assertEquals, assertRejects } from "../testing/assert.ts";
import type { CommandRunner } from "./command_runner.ts";
import { SignInError } from "./errors.ts";
import { signInWithAzureCli } from "./sign_in_with_azure_cli.ts";

function runner(answer: { code?: number; stdout?: string; stderr?: string }) {
  const calls: { command: string; args: string[] }[] = [];
  const run: CommandRunner = (command, args) => {
    calls.push({ command, args });
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer });
  };
  return { run, calls };
}

Deno.test("signInWithAzureCli() runs az account get-access-token for the API scope only", async () => {
  const { run, calls } = runner({
    stdout: JSON.stringify({
      accessToken: "entra-at",
      expires_on: 1893456000,
      tokenType: "Bearer",
    }),
  });
  const token = await signInWithAzureCli("api://ccgate/access_as_user offline_access", {
    tenant: "t1",
    runner: run,
    os: "linux",
  });
  assertEquals(token, { accessToken: "entra-at", expiresAt: new Date(1893456000 * 1000) });
  assertEquals(calls, [{
    command: "az",
    args: [
      "account",
      "get-access-token",
      "--scope",
      "api://ccgate/access_as_user",
      "--output",
      "json",
      "--tenant",
      "t1",
    ],
  }]);
});

Deno.test("signInWithAzureCli() runs az.cmd on Windows", async () => {
  const { run, calls } = runner({ stdout: JSON.stringify({ accessToken: "a" }) });
  await signInWithAzureCli("s", { runner: run, os: "windows" });
  assertEquals(calls[0]!.command, "az.cmd");
});

Deno.test("signInWithAzureCli() reports a missing or signed-out Azure CLI as azure_cli_unavailable", async () => {
  const missing: CommandRunner = () => Promise.reject(new Deno.errors.NotFound("az"));
  const err = await assertRejects(() => signInWithAzureCli("s", { runner: missing }), SignInError);
  assertEquals(err.code, "azure_cli_unavailable");
  const { run } = runner({ code: 1, stderr: "ERROR: Please run 'az login' to setup account.\n" });
  const err2 = await assertRejects(() => signInWithAzureCli("s", { runner: run }), SignInError);
  assertEquals(err2.code, "azure_cli_unavailable");
  assertEquals(err2.message, "Cannot use the Azure CLI: Please run 'az login' to setup account.");
});

Deno.test("signInWithAzureCli() rejects output without a token", async () => {
  for (const stdout of ["not json", "{}", '{"accessToken":""}']) {
    const { run } = runner({ stdout });
    const err = await assertRejects(() => signInWithAzureCli("s", { runner: run }), SignInError);
    assertEquals(err.code, "sign_in_failed");
  }
});
