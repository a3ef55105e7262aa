import { assertEquals } from "../../testing/assert.ts";
import { parseAuthorization } from "./parse_authorization.ts";

const SIGV4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/bedrock/aws4_request, " +
  "SignedHeaders=content-type;host;x-amz-date, Signature=0123abcd";

Deno.test("parseAuthorization() reads a SigV4 header and its credential scope", () => {
  const auth = parseAuthorization(
    new Headers({ authorization: SIGV4, "x-amz-date": "20261124T120000Z" }),
  );
  assertEquals(auth, {
    scheme: "sigv4",
    accessKeyId: "AKIDEXAMPLE",
    date: "20261124",
    region: "us-east-1",
    service: "bedrock",
    signedHeaders: ["content-type", "host", "x-amz-date"],
    signature: "0123abcd",
    amzDate: "20261124T120000Z",
    securityToken: null,
  });
});

Deno.test("parseAuthorization() reads a Bearer token", () => {
  assertEquals(parseAuthorization(new Headers({ authorization: "Bearer ABSK123" })), {
    scheme: "bearer",
    token: "ABSK123",
  });
});

Deno.test("parseAuthorization() tells a missing header from a malformed one", () => {
  assertEquals(parseAuthorization(new Headers()), { scheme: "none" });
  assertEquals(parseAuthorization(new Headers({ authorization: "AWS4-HMAC-SHA256 junk" })), {
    scheme: "malformed",
    authorization: "AWS4-HMAC-SHA256 junk",
  });
});
