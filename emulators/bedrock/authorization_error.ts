import type { BedrockExceptionName } from "./bedrock_exceptions.ts";
import type { RequestAuth } from "./parse_authorization.ts";

/** Options of {@linkcode authorizationError}. */
export interface AuthorizationPolicy {
  /** Accept `Authorization: Bearer <token>` (Bedrock API keys): `true` for any token, or the accepted tokens. @default false */
  bearer?: boolean | readonly string[];
  /** Accepted SigV4 access key ids; unset accepts any. */
  accessKeyIds?: readonly string[];
}

/**
 * Decides whether AWS's front end would let the request through, and if not
 * which 403 it answers with (names and wording as AWS sends them). Pure.
 *
 * @param auth The parsed credentials.
 * @param policy Which credentials are accepted.
 * @returns `undefined` when accepted, else the exception and its message.
 *
 * @example
 * ```ts
 * import { authorizationError } from "./authorization_error.ts";
 * const err = authorizationError({ scheme: "none" }, {});
 * if (err?.name !== "MissingAuthenticationTokenException") throw new Error("unexpected");
 * ```
 */
export function authorizationError(
  auth: RequestAuth,
  policy: AuthorizationPolicy,
): { name: BedrockExceptionName; message: string } | undefined {
  switch (auth.scheme) {
    case "none":
      return {
        name: "MissingAuthenticationTokenException",
        message: "Missing Authentication Token",
      };
    case "malformed":
      return {
        name: "IncompleteSignatureException",
        message: `Authorization header requires 'Credential' parameter. Authorization header ` +
          `requires 'Signature' parameter. Authorization header requires 'SignedHeaders' ` +
          `parameter. Authorization=${auth.authorization.split(/\s/)[0]}`,
      };
    case "bearer": {
      const accepted = policy.bearer === true ||
        (Array.isArray(policy.bearer) && policy.bearer.includes(auth.token));
      return accepted ? undefined : {
        name: "UnrecognizedClientException",
        message: "Invalid API Key format: Must start with pre-defined prefix",
      };
    }
    case "sigv4":
      if (auth.amzDate === null) {
        return {
          name: "IncompleteSignatureException",
          message:
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        };
      }
      if (auth.service !== "bedrock") {
        return {
          name: "InvalidSignatureException",
          message: `Credential should be scoped to correct service: 'bedrock'. `,
        };
      }
      if (policy.accessKeyIds !== undefined && !policy.accessKeyIds.includes(auth.accessKeyId)) {
        return {
          name: "UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        };
      }
      return undefined;
  }
}
