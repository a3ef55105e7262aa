/**
 * The root `main.ts` (`deno task start`) with `CCGATE_POLICY`: an invalid
 * policy file stops the start with one line naming the key, a missing one
 * with one line naming the setting and the path; a valid one starts.
 */
import { assertEquals, assertMatch } from "../../testing/assert.ts";

const root = new URL("../../", import.meta.url).pathname;
const denoJson = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
const startArgs = (denoJson.tasks.start as string).split(" ").slice(1);
const EXAMPLE = `${root}docs/policy.example.yaml`;

/** Runs `deno task start` with a policy file until it exits. */
function startOnce(policy: string): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: startArgs,
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", CCGATE_POLICY: policy },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("main.ts refuses to start with an invalid policy file, naming the key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-policy-" });
  try {
    const example = await Deno.readTextFile(EXAMPLE);
    await Deno.writeTextFile(
      `${dir}/policy.yaml`,
      example.replace("budgets: { daily_usd: 50 }", 'budgets: { daily_usd: "fifty" }'),
    );
    const out = await startOnce(`${dir}/policy.yaml`);
    assertEquals(out.code, 1);
    assertEquals(
      new TextDecoder().decode(out.stderr).trim(),
      'ccgate: policy.yaml: groups["platform-engineering"].budgets.daily_usd: Expected number, received string',
    );
    const missing = await startOnce(`${dir}/nope.yaml`);
    assertEquals(missing.code, 1);
    assertEquals(
      new TextDecoder().decode(missing.stderr).trim(),
      `ccgate: Invalid setting CCGATE_POLICY: cannot read "${dir}/nope.yaml": no such file`,
    );
    // A relative path is named as given (it is read from the working folder).
    const relative = await startOnce("no-such-folder/policy.yaml");
    assertEquals(relative.code, 1);
    assertEquals(
      new TextDecoder().decode(relative.stderr).trim(),
      'ccgate: Invalid setting CCGATE_POLICY: cannot read "no-such-folder/policy.yaml": no such file',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts starts with the example policy file", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: startArgs,
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", NO_COLOR: "1", CCGATE_POLICY: EXAMPLE },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!/listening on (http:\/\/\S+)/.test(banner)) {
    const { value, done } = await reader.read();
    if (done) break;
    banner += value;
  }
  try {
    assertMatch(banner, /listening on http:\/\//);
    const url = /listening on (http:\/\/\S+)/.exec(banner)![1];
    const models = await fetch(`${url}/v1/models`);
    assertEquals(models.status, 401, "the gateway answers");
    await models.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
  }
});

Deno.test("gateway/main.ts (the gateway alone) refuses to start with an invalid or missing policy file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-policy-" });
  try {
    await Deno.writeTextFile(
      `${dir}/policy.json`,
      JSON.stringify({
        models: { m: { bedrock: "x", price: { input: 1, output: 1 } } },
        users: { u: { rpm: 5 } },
      }),
    );
    const gatewayWith = (policy: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          "--allow-env",
          "--allow-read",
          "--allow-write",
          "--allow-sys",
          "gateway/main.ts",
        ],
        cwd: root,
        env: {
          PORT: "0",
          CCGATE_KV_PATH: ":memory:",
          CCGATE_ISSUER: "http://127.0.0.1:9",
          CCGATE_POLICY: policy,
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    const out = await gatewayWith(`${dir}/policy.json`);
    assertEquals(out.code, 1);
    assertEquals(
      new TextDecoder().decode(out.stderr).trim(),
      "ccgate gateway: policy.json: users.u.rpm: Unknown key",
    );
    const missing = await gatewayWith(`${dir}/nope.json`);
    assertEquals(missing.code, 1);
    assertEquals(
      new TextDecoder().decode(missing.stderr).trim(),
      `ccgate gateway: Invalid setting CCGATE_POLICY: cannot read "${dir}/nope.json": no such file`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
