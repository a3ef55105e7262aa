/** What a request's credentials looked like. */
export type RequestAuth =
  | {
    scheme: "sigv4";
    /** Access key id from the credential scope. */
    accessKeyId: string;
    /** Date of the credential scope (`YYYYMMDD`). */
    date: string;
    /** Region of the credential scope. */
    region: string;
    /** Service of the credential scope (Bedrock's is `bedrock`). */
    service: string;
    /** Names listed in `SignedHeaders`. */
    signedHeaders: string[];
    /** The hex signature (not verified). */
    signature: string;
    /** `x-amz-date` header, if any. */
    amzDate: string | null;
    /** `x-amz-security-token` header (temporary credentials), if any. */
    securityToken: string | null;
  }
  | { scheme: "bearer"; token: string }
  | { scheme: "none" }
  | { scheme: "malformed"; authorization: string };

const SIGV4 =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/;

/**
 * Reads the `authorization` header (SigV4 or Bearer) of a request. The
 * signature itself is not verified. Pure.
 *
 * @param headers The request headers.
 * @returns The parsed credentials.
 *
 * @example
 * ```ts
 * import { parseAuthorization } from "./parse_authorization.ts";
 * const auth = parseAuthorization(new Headers({
 *   authorization: "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock/aws4_request, " +
 *     "SignedHeaders=host;x-amz-date, Signature=abc123",
 *   "x-amz-date": "20250101T000000Z",
 * }));
 * if (auth.scheme !== "sigv4" || auth.region !== "us-east-1") throw new Error("unexpected");
 * ```
 */
export function parseAuthorization(headers: Headers): RequestAuth {
  const authorization = headers.get("authorization");
  if (authorization === null || authorization.trim() === "") return { scheme: "none" };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return { scheme: "bearer", token: bearer[1]! };
  const m = SIGV4.exec(authorization);
  if (!m) return { scheme: "malformed", authorization };
  return {
    scheme: "sigv4",
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(";"),
    signature: m[6]!,
    amzDate: headers.get("x-amz-date"),
    securityToken: headers.get("x-amz-security-token"),
  };
}
