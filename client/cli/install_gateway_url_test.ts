import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { closedPort } from "../../testing/closed_port.ts";
import { serve } from "../_testing/serve.ts";
import { UnavailableError } from "./exit_codes.ts";
import { installGatewayUrl } from "./install_gateway_url.ts";

Deno.test("installGatewayUrl() takes the gateway this machine's sign-in keeps, asking nothing", async () => {
  const config = {
    url: "https://auth.example.com",
    store: "file" as const,
    gatewayUrl: "https://gateway.example.com",
  };
  const asked: string[] = [];
  const fetch = (input: string | URL | Request) => {
    asked.push(String(input));
    return Promise.resolve(new Response("no", { status: 404 }));
  };
  assertEquals(
    (await installGatewayUrl("https://auth.example.com", config, { fetch })).url,
    "https://gateway.example.com",
  );
  assertEquals(
    (await installGatewayUrl("https://gateway.example.com", config, { fetch })).url,
    "https://gateway.example.com",
  );
  // One app serving both: no gatewayUrl kept.
  assertEquals(
    (await installGatewayUrl("https://ccgate.example.com", {
      url: "https://ccgate.example.com",
      store: "file",
    }, { fetch })).url,
    "https://ccgate.example.com",
  );
  assertEquals(asked, []);
});

Deno.test("installGatewayUrl() asks an auth service it has not signed in to for its gateway", async () => {
  let url = "";
  await using auth = serve(() =>
    Response.json({
      issuer: url,
      token_endpoint: `${url}/oauth/token`,
      ccgate_gateway_url: "https://gateway.example.com/",
    })
  );
  url = auth.url;
  assertEquals(
    (await installGatewayUrl(url, undefined, { fetch })).url,
    "https://gateway.example.com",
  );
  // Signed in elsewhere: the URL given is asked too.
  assertEquals(
    (await installGatewayUrl(url, { url: "https://other.example.com", store: "file" }, { fetch }))
      .url,
    "https://gateway.example.com",
  );
});

Deno.test("installGatewayUrl() keeps a gateway's URL, and any URL it cannot ask", async () => {
  let authUrl = "";
  await using auth = serve(() =>
    Response.json({ issuer: authUrl, token_endpoint: `${authUrl}/oauth/token` })
  );
  authUrl = auth.url;
  await using gateway = serve(() =>
    Response.json({ issuer: authUrl, ccgate_gateway_url: "http://10.0.0.5:8000" })
  );
  assertEquals((await installGatewayUrl(gateway.url, undefined, { fetch })).url, gateway.url);
  // An auth service that names no gateway serves it (main.ts before CCGATE_GATEWAY_URL).
  assertEquals((await installGatewayUrl(authUrl, undefined, { fetch })).url, authUrl);
  // Not a ccgate server, or unreachable: as given.
  await using other = serve(() => new Response("no", { status: 404 }));
  assertEquals((await installGatewayUrl(other.url, undefined, { fetch })).url, other.url);
  const down = `http://127.0.0.1:${closedPort()}`;
  assertEquals(await installGatewayUrl(down, undefined, { fetch }), { url: down });
});

Deno.test("installGatewayUrl() with check asks once: the URL given, or the gateway this machine's sign-in keeps, returning its metadata", async () => {
  let authUrl = "";
  await using auth = serve(() =>
    Response.json({
      issuer: authUrl,
      token_endpoint: `${authUrl}/oauth/token`,
      ccgate_gateway_url: "https://gateway.example.com",
    })
  );
  authUrl = auth.url;
  await using gateway = serve(() =>
    Response.json({ issuer: authUrl, ccgate_gateway_url: "http://10.0.0.5:8000" })
  );
  // Not signed in: the auth service is asked once; the gateway it names is taken as it says.
  const fresh = await installGatewayUrl(authUrl, undefined, { fetch, check: true });
  assertEquals(fresh.url, "https://gateway.example.com");
  assertEquals(fresh.asked, authUrl);
  assertEquals(fresh.metadata?.tokenEndpoint, `${authUrl}/oauth/token`);
  assertEquals(auth.requests.length, 1);
  // Signed in through a gateway apart: the gateway is asked, which leads to its auth service.
  const config = { url: authUrl, store: "file" as const, gatewayUrl: gateway.url };
  const kept = await installGatewayUrl(authUrl, config, { fetch, check: true });
  assertEquals(kept.url, gateway.url);
  assertEquals(kept.asked, gateway.url);
  assertEquals(kept.metadata?.gatewayUrl, gateway.url);
  assertEquals(kept.metadata?.tokenEndpoint, `${authUrl}/oauth/token`);
  assertEquals([gateway.requests.length, auth.requests.length], [1, 2]);
});

Deno.test("installGatewayUrl() with check refuses a URL that is not ccgate (exit 4); without, takes it as given", async () => {
  await using other = serve(() => new Response("no", { status: 404 }));
  await assertRejects(
    () => installGatewayUrl(other.url, undefined, { fetch, check: true }),
    UnavailableError,
    `"${other.url}" does not look like a ccgate server: its metadata (/.well-known/oauth-authorization-server) answered HTTP 404; nothing was changed`,
  );
  assertEquals(await installGatewayUrl(other.url, undefined, { fetch }), { url: other.url });
});
