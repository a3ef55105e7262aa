import { assertEquals, assertRejects } from "../testing/assert.ts";
import { serve } from "./_testing/serve.ts";
import { discover } from "./discover.ts";
import { TokenRequestError } from "./errors.ts";

Deno.test("discover() reads RFC 8414 metadata and the Entra settings", async () => {
  let url = "";
  await using server = serve(() =>
    Response.json({
      issuer: url,
      token_endpoint: `${url}/oauth/token`,
      revocation_endpoint: `${url}/oauth/revoke`,
      jwks_uri: `${url}/.well-known/jwks.json`,
      ccgate_entra: {
        authority: "https://login.microsoftonline.com/t1",
        issuer: "https://login.microsoftonline.com/t1/v2.0",
        tenant_id: "t1",
        client_id: "cli-app",
        scope: "api://ccgate/access_as_user offline_access",
      },
    })
  );
  url = server.url;
  const metadata = await discover(url + "/");
  assertEquals(server.requests[0]!.path, "/.well-known/oauth-authorization-server");
  assertEquals(metadata.tokenEndpoint, `${url}/oauth/token`);
  assertEquals(metadata.revocationEndpoint, `${url}/oauth/revoke`);
  assertEquals(metadata.entra, {
    authority: "https://login.microsoftonline.com/t1/v2.0",
    clientId: "cli-app",
    scope: "api://ccgate/access_as_user offline_access",
  });
});

Deno.test("discover() puts the well-known segment before an issuer's path", async () => {
  let url = "";
  await using server = serve(() =>
    Response.json({ issuer: `${url}/tenant-a`, token_endpoint: `${url}/tenant-a/oauth/token` })
  );
  url = server.url;
  const metadata = await discover(`${url}/tenant-a`);
  assertEquals(server.requests[0]!.path, "/.well-known/oauth-authorization-server/tenant-a");
  assertEquals(metadata.entra, undefined);
});

Deno.test("discover() rejects metadata for another issuer", async () => {
  await using server = serve(() =>
    Response.json({ issuer: "https://evil.example", token_endpoint: "https://evil.example/t" })
  );
  const err = await assertRejects(() => discover(server.url), TokenRequestError);
  assertEquals(err.code, "response_invalid");
});

Deno.test("discover() reports a missing service as network_error or response_invalid", async () => {
  await using server = serve(() => new Response("no", { status: 404 }));
  const err = await assertRejects(() => discover(server.url), TokenRequestError);
  assertEquals(err.code, "response_invalid");
  await using down = serve(() => new Response("no", { status: 502 }));
  const err2 = await assertRejects(() => discover(down.url), TokenRequestError);
  assertEquals(err2.code, "network_error");
});

Deno.test("discover() says a URL that is not ccgate does not look like a ccgate server, never naming its credentials", async () => {
  await using server = serve(() => new Response("<html>Welcome</html>"));
  const withCredentials = server.url.replace("http://", "http://alice:s3cret@");
  const err = await assertRejects(() => discover(`${withCredentials}/team/`), TokenRequestError);
  assertEquals(err.code, "response_invalid");
  assertEquals(
    err.message,
    `"${server.url}/team" does not look like a ccgate server: its metadata (/.well-known/oauth-authorization-server/team) is not JSON`,
  );
});

Deno.test("discover() refuses a URL without http(s):// as endpoint_invalid, asking nothing", async () => {
  const fetchNever: typeof fetch = () => Promise.reject(new Error("sent"));
  for (const url of ["ccgate.example.com", "ccgate.example.com:443", "ftp://ccgate.example.com"]) {
    const err = await assertRejects(() => discover(url, { fetch: fetchNever }), TokenRequestError);
    assertEquals(err.code, "endpoint_invalid");
    assertEquals(err.message.includes("must start with https://"), true);
  }
  const secret = await assertRejects(() => discover("alice:s3cret@ccgate"), TokenRequestError);
  assertEquals(secret.message.includes("s3cret"), false);
});

Deno.test("discover() accepts its own issuer when the URL carries credentials", async () => {
  let url = "";
  await using server = serve(() => Response.json({ issuer: url, token_endpoint: `${url}/t` }));
  url = server.url;
  const metadata = await discover(server.url.replace("http://", "http://alice:s3cret@"));
  assertEquals(metadata.issuer, url);
});

Deno.test("discover() says where the metadata redirects to", async () => {
  await using server = serve((request) =>
    new Response(null, {
      status: 301,
      headers: { location: `https://ccgate.example.com${new URL(request.url).pathname}` },
    })
  );
  const err = await assertRejects(() => discover(server.url), TokenRequestError);
  assertEquals(err.code, "response_invalid");
  assertEquals(
    err.message,
    `Cannot use ccgate at "${server.url}": its metadata (/.well-known/oauth-authorization-server) redirects (HTTP 301) to "https://ccgate.example.com/.well-known/oauth-authorization-server", and redirects are not followed; give the URL ccgate is served at`,
  );
});

Deno.test("discover() follows a gateway's metadata to its auth service and keeps the gateway's URL", async () => {
  await using auth = serve((request) =>
    Response.json({
      issuer: new URL(request.url).origin,
      token_endpoint: `${new URL(request.url).origin}/oauth/token`,
      revocation_endpoint: `${new URL(request.url).origin}/oauth/revoke`,
      ccgate_gateway_url: "https://published.example.com",
    })
  );
  await using gateway = serve(() =>
    Response.json({ issuer: auth.url, ccgate_gateway_url: "http://gateway.internal:8000" })
  );
  const metadata = await discover(`${gateway.url}/`);
  assertEquals(gateway.requests[0]!.path, "/.well-known/oauth-authorization-server");
  assertEquals(auth.requests[0]!.path, "/.well-known/oauth-authorization-server");
  assertEquals(metadata.issuer, auth.url);
  assertEquals(metadata.tokenEndpoint, `${auth.url}/oauth/token`);
  assertEquals(metadata.revocationEndpoint, `${auth.url}/oauth/revoke`);
  // The URL that answered as the gateway, not what the gateway saw behind a proxy.
  assertEquals(metadata.gatewayUrl, gateway.url);
});

Deno.test("discover() reads the gateway's URL an auth service publishes", async () => {
  let url = "";
  await using server = serve(() =>
    Response.json({
      issuer: url,
      token_endpoint: `${url}/oauth/token`,
      ccgate_gateway_url: "https://gateway.example.com",
    })
  );
  url = server.url;
  assertEquals((await discover(url)).gatewayUrl, "https://gateway.example.com");
});

Deno.test("discover() follows a gateway only once, and only to an auth service naming itself", async () => {
  // The issuer a gateway names is itself a gateway's pointer: refused, not followed again.
  await using other = serve(() =>
    Response.json({ issuer: "https://third.example", ccgate_gateway_url: "https://x.example" })
  );
  await using gateway = serve(() =>
    Response.json({ issuer: other.url, ccgate_gateway_url: "https://gw.example" })
  );
  const err = await assertRejects(() => discover(gateway.url), TokenRequestError);
  assertEquals(err.code, "response_invalid");
  assertEquals(
    err.message,
    `"${other.url}" does not look like a ccgate server: its metadata (/.well-known/oauth-authorization-server) names another issuer, "https://third.example"`,
  );
  assertEquals(other.requests.length, 1);
  // An issuer that is not an http(s) URL.
  await using odd = serve(() =>
    Response.json({ issuer: "ftp://auth.example", ccgate_gateway_url: "https://gw.example" })
  );
  const err2 = await assertRejects(() => discover(odd.url), TokenRequestError);
  assertEquals(
    err2.message,
    `"${odd.url}" does not look like a ccgate server: its metadata (/.well-known/oauth-authorization-server) names an issuer that is not an http(s) URL`,
  );
});

Deno.test("discover() refuses plain http to another machine before asking it, unless allowInsecureHttp", async () => {
  const asked: string[] = [];
  const fakeFetch: typeof fetch = (input) => {
    asked.push(String(input));
    return Promise.resolve(Response.json({
      issuer: "http://ccgate.corp.example",
      token_endpoint: "http://ccgate.corp.example/oauth/token",
    }));
  };
  const err = await assertRejects(
    () => discover("http://ccgate.corp.example", { fetch: fakeFetch }),
    TokenRequestError,
  );
  assertEquals(err.code, "endpoint_invalid");
  assertEquals(
    err.message,
    'Cannot use "http://ccgate.corp.example/" as the ccgate URL: plain http to another machine would send tokens unencrypted; use https:// (plain http only for a local one)',
  );
  assertEquals(asked, []);
  const metadata = await discover("http://ccgate.corp.example", {
    fetch: fakeFetch,
    allowInsecureHttp: true,
  });
  assertEquals(metadata.tokenEndpoint, "http://ccgate.corp.example/oauth/token");
});

Deno.test("discover() refuses metadata that sends tokens over plain http to another machine", async () => {
  const fields: [string, Record<string, unknown>][] = [
    ["token_endpoint", { token_endpoint: "http://auth.corp.example/oauth/token" }],
    ["revocation_endpoint", { revocation_endpoint: "http://auth.corp.example/oauth/revoke" }],
    ["ccgate_revocations_endpoint", {
      ccgate_revocations_endpoint: "http://auth.corp.example/oauth/revocations",
    }],
    ["jwks_uri", { jwks_uri: "http://auth.corp.example/.well-known/jwks.json" }],
    ["ccgate_gateway_url", { ccgate_gateway_url: "http://gateway.corp.example" }],
    ["ccgate_entra", {
      ccgate_entra: { issuer: "http://login.corp.example/t1/v2.0", client_id: "c", scope: "s" },
    }],
  ];
  for (const [field, document] of fields) {
    let url = "";
    await using server = serve(() =>
      Response.json({ issuer: url, token_endpoint: `${url}/oauth/token`, ...document })
    );
    url = server.url;
    const err = await assertRejects(() => discover(url), TokenRequestError);
    assertEquals(err.code, "response_invalid");
    assertEquals(
      err.message.startsWith(
        `Cannot use ccgate at "${url}": its metadata names plain http to another machine as "${field}" (`,
      ),
      true,
      err.message,
    );
    assertEquals((await discover(url, { allowInsecureHttp: true })).issuer, url);
  }
  // A gateway's pointer to an auth service over plain http elsewhere is not followed.
  const asked: string[] = [];
  await using gateway = serve(() =>
    Response.json({ issuer: "http://auth.corp.example", ccgate_gateway_url: "http://x" })
  );
  const err = await assertRejects(
    () =>
      discover(gateway.url, {
        fetch: (input, init) => {
          asked.push(String(input));
          return fetch(input, init);
        },
      }),
    TokenRequestError,
  );
  assertEquals(err.code, "response_invalid");
  assertEquals(asked, [`${gateway.url}/.well-known/oauth-authorization-server`]);
});
