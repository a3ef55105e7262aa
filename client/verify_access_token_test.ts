import { assertEquals, assertRejects } from "../testing/assert.ts";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { AccessTokenError } from "./errors.ts";
import { verifyAccessToken, type VerifyAccessTokenOptions } from "./verify_access_token.ts";
import { accessTokenClaims, TEST_ISSUER, TEST_NOW } from "./_testing/access_token_claims.ts";

const ISSUER = TEST_ISSUER;
const AUDIENCE = "ccgate";
const NOW = TEST_NOW;
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
const publicJwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };

const claims = accessTokenClaims;

function sign(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1", ...header })
    .sign(privateKey);
}

const options = { key: publicKey, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };

async function rejectsWith(token: string, code: string, opts: VerifyAccessTokenOptions = options) {
  const err = await assertRejects(() => verifyAccessToken(token, opts), AccessTokenError);
  assertEquals(err.code, code);
  assertEquals(err.message.includes(token), false);
}

Deno.test("verifyAccessToken() returns typed claims of a valid token", async () => {
  const result = await verifyAccessToken(await sign(claims({ name: "Ada" })), options);
  assertEquals(result.sub, "oid-1");
  assertEquals(result.sid, "sid-1");
  assertEquals(result.roles, ["dev"]);
  assertEquals(result.name, "Ada");
});

Deno.test("verifyAccessToken() rejects an expired token", async () => {
  await rejectsWith(await sign(claims({ exp: nowSeconds - 120 })), "token_expired");
});

Deno.test("verifyAccessToken() rejects a token not yet valid", async () => {
  await rejectsWith(await sign(claims({ nbf: nowSeconds + 600 })), "token_not_yet_valid");
});

Deno.test("verifyAccessToken() rejects a wrong issuer, audience or typ", async () => {
  await rejectsWith(await sign(claims({ iss: "https://evil.test" })), "token_claim_invalid");
  await rejectsWith(await sign(claims({ aud: "other" })), "token_claim_invalid");
  await rejectsWith(await sign(claims(), { typ: "JWT" }), "token_type_invalid");
});

Deno.test("verifyAccessToken() rejects a token missing sid", async () => {
  const { sid: _sid, ...rest } = claims();
  await rejectsWith(await sign(rest), "token_claim_invalid");
});

Deno.test("verifyAccessToken() rejects alg none and HS256 signed with the public key", async () => {
  const b64 = (v: unknown) =>
    btoa(JSON.stringify(v)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
  const none = `${b64({ alg: "none", typ: "at+jwt" })}.${b64(claims())}.`;
  await rejectsWith(none, "token_algorithm_not_allowed");
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  const hs = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .sign(secret);
  await rejectsWith(hs, "token_algorithm_not_allowed");
});

Deno.test("verifyAccessToken() rejects a malformed token and a forged signature", async () => {
  await rejectsWith("not.a.jwt", "token_malformed");
  const other = await generateKeyPair("ES256");
  const forged = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "at+jwt" })
    .sign(other.privateKey);
  await rejectsWith(forged, "token_signature_invalid");
});

Deno.test("verifyAccessToken() fetches a JWKS URL and rejects an unknown kid", async () => {
  let fetches = 0;
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    fetches++;
    return Response.json({ keys: [publicJwk] });
  });
  const url = new URL(`http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`);
  const opts = { ...options, key: url };
  assertEquals((await verifyAccessToken(await sign(claims()), opts)).sub, "oid-1");
  assertEquals((await verifyAccessToken(await sign(claims()), opts)).sub, "oid-1");
  assertEquals(fetches, 1);
  await rejectsWith(await sign(claims(), { kid: "unknown" }), "token_key_unknown", opts);
});

Deno.test("verifyAccessToken() keeps the JWKS of a URL fetched through a custom fetch", async () => {
  let fetches = 0;
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    fetches++;
    return Response.json({ keys: [publicJwk] });
  });
  const url = new URL(`http://127.0.0.1:${server.addr.port}/.well-known/jwks.json`);
  const viaProxy: typeof fetch = (input, init) => fetch(input, init);
  const opts = { ...options, key: url, fetch: viaProxy };
  for (let i = 0; i < 5; i++) {
    assertEquals((await verifyAccessToken(await sign(claims()), opts)).sub, "oid-1");
  }
  assertEquals(fetches, 1);
});

Deno.test("verifyAccessToken() says a signature its key cannot check is invalid, not that keys are unavailable", async () => {
  const ed = await generateKeyPair("EdDSA");
  const token = await new SignJWT(claims()).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
    .sign(ed.privateKey);
  // The ES256 key for a token whose header says EdDSA.
  await rejectsWith(token, "token_signature_invalid", { ...options, key: () => publicKey });
});

Deno.test("verifyAccessToken() says token_keys_unavailable when the JWKS answers 500, HTML or a redirect", async () => {
  const answers: Record<string, () => Response> = {
    "/500": () => new Response("oops", { status: 500 }),
    "/html": () => new Response("<html>maintenance</html>", { status: 200 }),
    "/redirect": () =>
      new Response(null, { status: 302, headers: { location: "https://elsewhere.test/" } }),
  };
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => answers[new URL(request.url).pathname]!(),
  );
  const token = await sign(claims());
  for (const path of Object.keys(answers)) {
    const key = new URL(`http://127.0.0.1:${server.addr.port}${path}`);
    await rejectsWith(token, "token_keys_unavailable", { ...options, key });
  }
});

Deno.test("verifyAccessToken() says token_keys_unavailable when a key resolver throws", async () => {
  const token = await sign(claims());
  await rejectsWith(token, "token_keys_unavailable", {
    ...options,
    key: () => {
      throw new Error("key store unreachable");
    },
  });
  await rejectsWith(token, "token_keys_unavailable", {
    ...options,
    key: () => Promise.reject(new Error("KV timeout")),
  });
});

Deno.test("verifyAccessToken() refuses symmetric algorithms in its options, before any key is used", async () => {
  // An HS256 token whose secret is the public key's bytes, and a resolver returning them.
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  const hs = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .sign(secret);
  for (const algorithms of [["HS256"], ["ES256", "HS512"], ["none"], []]) {
    await assertRejects(
      () => verifyAccessToken(hs, { ...options, key: () => secret, algorithms }),
      TypeError,
    );
  }
  const es = await verifyAccessToken(await sign(claims()), { ...options, algorithms: ["ES256"] });
  assertEquals(es.sub, "oid-1");
});

Deno.test("verifyAccessToken() refuses an iat further in the future than the clock tolerance", async () => {
  await rejectsWith(await sign(claims({ iat: nowSeconds + 86_400 })), "token_not_yet_valid");
  await rejectsWith(await sign(claims({ iat: nowSeconds + 31 })), "token_not_yet_valid");
  assertEquals(
    (await verifyAccessToken(await sign(claims({ iat: nowSeconds + 30 })), options)).sub,
    "oid-1",
  );
  const lenient = { ...options, clockToleranceSeconds: 120 };
  assertEquals(
    (await verifyAccessToken(await sign(claims({ iat: nowSeconds + 100 })), lenient)).sub,
    "oid-1",
  );
});

Deno.test("verifyAccessToken() refuses a plain http JWKS URL to a host other than loopback, fetching nothing", async () => {
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches++;
    return fetch(input, init);
  };
  const key = new URL("http://ccgate.example.com/.well-known/jwks.json");
  await assertRejects(
    async () => verifyAccessToken(await sign(claims()), { ...options, key, fetch: counting }),
    TypeError,
    "plain http",
  );
  assertEquals(fetches, 0);
});

Deno.test("verifyAccessToken() errors carry no claim of the token in their cause", async () => {
  const token = await sign(claims({ aud: "other", email: "ada@corp.example", sid: "sid-secret" }));
  const err = await assertRejects(() => verifyAccessToken(token, options), AccessTokenError);
  assertEquals(err.code, "token_claim_invalid");
  const printed = Deno.inspect(err, { depth: 10 });
  for (const secret of ["ada@corp.example", "sid-secret", "oid-1"]) {
    assertEquals(printed.includes(secret), false, `${secret} in ${printed}`);
  }
  const cause = err.cause as Error & { code?: string };
  assertEquals(
    [cause.name, cause.code, cause.message],
    ["JWTClaimValidationFailed", "ERR_JWT_CLAIM_VALIDATION_FAILED", 'unexpected "aud" claim value'],
  );
  const expired = await assertRejects(
    async () => verifyAccessToken(await sign(claims({ exp: nowSeconds - 120 })), options),
    AccessTokenError,
  );
  assertEquals(Deno.inspect(expired, { depth: 10 }).includes("oid-1"), false);
});

Deno.test("verifyAccessToken() refuses a token of a revoked session with isRevoked, asking only after the other checks", async () => {
  const asked: string[] = [];
  const isRevoked = (sid: string) => {
    asked.push(sid);
    return Promise.resolve(sid === "sid-revoked");
  };
  const opts = { ...options, isRevoked };
  await rejectsWith(await sign(claims({ sid: "sid-revoked" })), "session_revoked", opts);
  assertEquals((await verifyAccessToken(await sign(claims()), opts)).sid, "sid-1");
  await rejectsWith(
    await sign(claims({ sid: "sid-revoked", exp: nowSeconds - 120 })),
    "token_expired",
    opts,
  );
  assertEquals(asked, ["sid-revoked", "sid-1"]);
});
