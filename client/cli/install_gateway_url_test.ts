import { assertEquals } from "../../testing/assert.ts";
import { closedPort } from "../../testing/closed_port.ts";
import { serve } from "../_testing/serve.ts";
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
    await installGatewayUrl("https://auth.example.com", config, fetch),
    "https://gateway.example.com",
  );
  assertEquals(
    await installGatewayUrl("https://gateway.example.com", config, fetch),
    "https://gateway.example.com",
  );
  // One app serving both: no gatewayUrl kept.
  assertEquals(
    await installGatewayUrl("https://ccgate.example.com", {
      url: "https://ccgate.example.com",
      store: "file",
    }, fetch),
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
  assertEquals(await installGatewayUrl(url, undefined, fetch), "https://gateway.example.com");
  // Signed in elsewhere: the URL given is asked too.
  assertEquals(
    await installGatewayUrl(url, { url: "https://other.example.com", store: "file" }, fetch),
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
  assertEquals(await installGatewayUrl(gateway.url, undefined, fetch), gateway.url);
  // An auth service that names no gateway serves it (main.ts before CCGATE_GATEWAY_URL).
  assertEquals(await installGatewayUrl(authUrl, undefined, fetch), authUrl);
  // Not a ccgate server, or unreachable: as given.
  await using other = serve(() => new Response("no", { status: 404 }));
  assertEquals(await installGatewayUrl(other.url, undefined, fetch), other.url);
  const down = `http://127.0.0.1:${closedPort()}`;
  assertEquals(await installGatewayUrl(down, undefined, fetch), down);
});
