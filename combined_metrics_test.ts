import { assertEquals, assertStringIncludes } from "./testing/assert.ts";
import { postMessages, startGatewayStack } from "./testing/gateway_stack.ts";
import { startAuthFixture } from "./auth/_testing.ts";
import { AUTH_METRIC_HELP, AuthMetrics } from "./auth/auth_metrics.ts";
import { composeApp } from "./compose_app.ts";

const TOKEN = "c".repeat(24) + "-scrape-token-0123456789";

Deno.test("composeApp() serves gateway and auth series on one /metrics when the gateway includes the auth metrics", async () => {
  await using stack = await startGatewayStack({ env: { CCGATE_METRICS_TOKEN: TOKEN } });
  const authMetrics = new AuthMetrics();
  stack.metrics.include(authMetrics);
  await using auth = await startAuthFixture({ deps: { metrics: authMetrics } });
  // The gateway as main.ts mounts it, reached over its real socket.
  const gateway = {
    fetch: (request: Request) => {
      const url = new URL(request.url);
      return fetch(`${stack.url}${url.pathname}${url.search}`, request);
    },
  };
  const handler = composeApp(auth.app, gateway);
  const info = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    completed: Promise.resolve(),
  } as Deno.ServeHandlerInfo;

  const { refresh_token } = await auth.signIn();
  const refreshed = await handler(
    new Request("http://x/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token }).toString(),
    }),
    info,
  );
  assertEquals(refreshed.status, 200);
  await refreshed.body?.cancel();
  const answered = await postMessages(stack.url, stack.token);
  assertEquals(answered.status, 200);
  await answered.body?.cancel();

  const refused = await handler(new Request("http://x/metrics"), info);
  assertEquals(refused.status, 401);
  await refused.body?.cancel();
  const scraped = await handler(
    new Request("http://x/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }),
    info,
  );
  assertEquals(scraped.status, 200);
  const text = await scraped.text();
  assertStringIncludes(text, "ccgate_requests_total{");
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="token_exchange",outcome="ok"} 1\n',
  );
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="refresh_token",outcome="ok"} 1\n',
  );
  assertStringIncludes(text, "# TYPE ccgate_auth_signing_key_age_seconds gauge\n");
  // The auth service's own help texts, not generic ones.
  assertStringIncludes(
    text,
    `# HELP ccgate_auth_signing_key_age_seconds ${AUTH_METRIC_HELP.ccgate_auth_signing_key_age_seconds}\n`,
  );
  assertStringIncludes(text, 'ccgate_auth_rate_limited_total{bucket="token_per_user"} 0\n');
});

const root = new URL("./", import.meta.url).pathname;
const startTask = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).tasks.start as string;

/** Starts an entry point (`deno run` arguments) and waits for its `listening on` line. */
async function startServer(args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { PORT: "0", CCGATE_KV_PATH: ":memory:", NO_COLOR: "1", ...env },
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
  const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1]?.replace("0.0.0.0", "127.0.0.1");
  const drained = (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  return {
    url: url ?? `(no URL in: ${banner})`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

async function scrapeText(url: string): Promise<string> {
  assertEquals(
    (await fetch(`${url}/metrics`).then(async (r) => (await r.body?.cancel(), r))).status,
    401,
  );
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assertEquals(res.status, 200);
  return await res.text();
}

Deno.test("main.ts serves gateway and auth series on its one /metrics", async () => {
  await using main = await startServer(startTask.split(" ").slice(1), {
    CCGATE_METRICS_TOKEN: TOKEN,
  });
  const text = await scrapeText(main.url);
  assertStringIncludes(text, "# TYPE ccgate_upstream_calls_in_flight gauge\n");
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="token_exchange",outcome="ok"} 0\n',
  );
  assertStringIncludes(text, "ccgate_auth_signing_key_age_seconds ");
});

Deno.test("auth/main.ts alone serves its own /metrics behind CCGATE_METRICS_TOKEN", async () => {
  await using auth = await startServer(["run", "-A", "auth/main.ts"], {
    CCGATE_METRICS_TOKEN: TOKEN,
  });
  const refused = await fetch(`${auth.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=password",
  });
  assertEquals(refused.status, 400);
  await refused.body?.cancel();
  const text = await scrapeText(auth.url);
  assertStringIncludes(
    text,
    'ccgate_auth_token_requests_total{grant="other",outcome="invalid_request"} 1\n',
  );
  assertStringIncludes(text, "# TYPE ccgate_auth_signing_key_age_seconds gauge\n");
});
