/**
 * Errors thrown by the ccgate client library. Every error has a stable
 * {@linkcode CcgateErrorCode} so callers can `switch (err.code)`; messages
 * name the claim or the step that failed and never contain a token.
 *
 * @module
 */

/** The stable codes of {@linkcode AccessTokenError}. */
export type AccessTokenErrorCode =
  | "token_malformed"
  | "token_signature_invalid"
  | "token_key_unknown"
  | "token_algorithm_not_allowed"
  | "token_type_invalid"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_claim_invalid"
  | "token_keys_unavailable";

/** Every stable code an error of this library can carry. */
export type CcgateErrorCode = AccessTokenErrorCode;

/**
 * Base class of every error this library throws.
 *
 * @example Branch on the code
 * ```ts
 * import { CcgateError } from "@ccgate/client";
 *
 * function describe(err: unknown): string {
 *   return err instanceof CcgateError ? err.code : "unexpected";
 * }
 * console.log(describe(new Error("x")));
 * ```
 */
export class CcgateError extends Error {
  /** A stable, machine-readable code. */
  readonly code: CcgateErrorCode;

  /**
   * @param code The stable code.
   * @param message A sentence for humans; never contains a token.
   * @param options The underlying cause, if any.
   */
  constructor(code: CcgateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A ccgate access token was rejected: malformed, wrongly signed, expired,
 * for another audience, and so on. Always means "ask for a new token"
 * (HTTP 401), never "you are not allowed" (403).
 *
 * @example Tell an expired token from a forged one
 * ```ts
 * import { AccessTokenError } from "@ccgate/client";
 *
 * const err = new AccessTokenError("token_expired", '"exp" claim timestamp check failed');
 * console.log(err.code === "token_expired"); // true
 * ```
 */
export class AccessTokenError extends CcgateError {
  declare readonly code: AccessTokenErrorCode;

  /**
   * @param code Which check failed.
   * @param message What failed, naming the claim; never the token.
   * @param options The underlying cause, if any.
   */
  constructor(code: AccessTokenErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
