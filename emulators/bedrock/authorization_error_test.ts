import { assertEquals } from "../../testing/assert.ts";
import { authorizationError } from "./authorization_error.ts";
import type { RequestAuth } from "./parse_authorization.ts";

const sigv4: RequestAuth = {
  scheme: "sigv4",
  accessKeyId: "AKID",
  date: "20261124",
  region: "us-east-1",
  service: "bedrock",
  signedHeaders: ["host", "x-amz-date"],
  signature: "ab",
  amzDate: "20261124T120000Z",
  securityToken: null,
};

Deno.test("authorizationError() accepts any well-formed SigV4 by default", () => {
  assertEquals(authorizationError(sigv4, {}), undefined);
});

Deno.test("authorizationError() answers like AWS for missing or incomplete credentials", () => {
  assertEquals(
    authorizationError({ scheme: "none" }, {})?.name,
    "MissingAuthenticationTokenException",
  );
  assertEquals(
    authorizationError({ scheme: "malformed", authorization: "Foo" }, {})?.name,
    "IncompleteSignatureException",
  );
  assertEquals(
    authorizationError({ ...sigv4, amzDate: null }, {})?.name,
    "IncompleteSignatureException",
  );
  assertEquals(
    authorizationError({ ...sigv4, service: "s3" }, {})?.name,
    "InvalidSignatureException",
  );
});

Deno.test("authorizationError() checks access key ids when a list is given", () => {
  assertEquals(authorizationError(sigv4, { accessKeyIds: ["OTHER"] }), {
    name: "UnrecognizedClientException",
    message: "The security token included in the request is invalid.",
  });
});

Deno.test("authorizationError() accepts Bearer tokens only when enabled", () => {
  const bearer: RequestAuth = { scheme: "bearer", token: "t1" };
  assertEquals(authorizationError(bearer, {})?.name, "UnrecognizedClientException");
  assertEquals(authorizationError(bearer, { bearer: true }), undefined);
  assertEquals(authorizationError(bearer, { bearer: ["t1"] }), undefined);
  assertEquals(authorizationError(bearer, { bearer: ["t2"] })?.name, "UnrecognizedClientException");
});
