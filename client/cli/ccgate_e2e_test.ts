import { textAnswer } from "@ccgate/emulators";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../testing/assert.ts";
import { startAuthStack } from "../../testing/auth_stack.ts";
import { runCliProcess, spawnCli } from "../_testing/cli.ts";
import { TokenRequestError } from "../errors.ts";
import { FileTokenStore } from "../file_token_store.ts";
import { refresh } from "../refresh.ts";

/** Reads a stream to its end, calling `onText` with everything read so far after each chunk. */
async function readAll(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void = () => {},
): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    onText(text);
  }
  return text;
}

function askGateway(url: string, token: string): Promise<Response> {
  return fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify({
      model: "claude-opus-4-8",
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hello" }],
    }),
  });
}

Deno.test("ccgate login --device-code, token, a gateway call, logout: then the token no longer works", async () => {
  await using stack = await startAuthStack({ gateway: true });
  const { entra } = stack;
  const dir = await Deno.makeTempDir();
  const env = { CCGATE_CONFIG_DIR: dir, CCGATE_STORE: "file" };
  try {
    // login: the test plays the user, who types the printed code on the Entra page.
    const login = spawnCli(["login", "--device-code", "--url", stack.url], env);
    let approved = false;
    const [stdout, stderr, status] = await Promise.all([
      readAll(login.stdout),
      readAll(login.stderr, (text) => {
        const code = /enter the code (\S+)/.exec(text)?.[1];
        if (code && !approved) approved = entra.approve(code);
      }),
      login.status,
    ]);
    assertEquals(status.code, 0, stderr);
    assert(approved, "the code was printed and approved");
    assertStringIncludes(stderr, `${entra.url}/devicelogin`);
    assertEquals(stdout, `Signed in to ${stack.url} as Dev User <dev.user@ccgate.local>\n`);
    assertEquals((await Deno.stat(`${dir}/session.json`)).mode! & 0o777, 0o600);

    // token: only the token and a newline.
    const token = await runCliProcess(["token"], env);
    assertEquals(token.code, 0, token.stderr);
    assertEquals(token.stderr, "");
    const accessToken = token.stdout.trimEnd();
    assertEquals(token.stdout, `${accessToken}\n`);

    // The gateway accepts it.
    stack.bedrock!.enqueue(textAnswer("Hello from Bedrock"));
    const answer = await askGateway(stack.url, accessToken);
    const body = await answer.text();
    assertEquals(answer.status, 200, body);
    assertStringIncludes(body, "Hello from Bedrock");

    const status1 = await runCliProcess(["status", "--json"], env);
    assertEquals(status1.code, 0, status1.stderr);
    const report = JSON.parse(status1.stdout);
    assertEquals(report.identity.name, "Dev User");
    assertEquals(report.store.kind, "file");
    assertEquals(report.gateway.reachable, true);

    // logout: revoked, then forgotten.
    const { refreshToken } = (await new FileTokenStore(`${dir}/session.json`).load())!;
    const logout = await runCliProcess(["logout"], env);
    assertEquals(logout.code, 0, logout.stderr);
    assertStringIncludes(logout.stderr, "Signed out");
    assertEquals(stack.counts.revoke, 1);

    // The token no longer works: the gateway refuses it, the refresh token is dead.
    const refused = await askGateway(stack.url, accessToken);
    await refused.body?.cancel();
    assertEquals(refused.status, 401);
    const err = await assertRejects(
      () => refresh(`${stack.url}/oauth/token`, refreshToken!),
      TokenRequestError,
    );
    assertEquals(err.code, "grant_invalid");
    const after = await runCliProcess(["token"], env);
    assertEquals(after.code, 3);
    assertEquals(after.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
