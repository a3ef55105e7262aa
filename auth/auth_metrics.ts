import type { CounterSample } from "../gateway/gateway_metrics.ts";
import { AuthError } from "./errors.ts";

/** The `grant` label of `ccgate_auth_token_requests_total`. */
export type TokenGrantLabel = "token_exchange" | "refresh_token" | "device_code" | "other";

/** The `outcome` label of `ccgate_auth_token_requests_total`. */
export type TokenOutcomeLabel =
  | "ok"
  | "invalid_grant"
  | "invalid_request"
  | "invalid_client"
  | "rate_limited"
  | "unavailable"
  | "error";

/** The `reason` label of `ccgate_auth_entra_key_errors_total`. */
export type EntraKeyErrorLabel = "keys_unavailable" | "unknown_kid";

/** The `reason` label of `ccgate_auth_revocations_total`. */
export type RevocationReasonLabel = "logout" | "admin" | "reuse_detected" | "other";

/** `# HELP` texts of the auth service's metrics. */
export const AUTH_METRIC_HELP: Readonly<Record<string, string>> = Object.freeze({
  ccgate_auth_token_requests_total:
    "POST /oauth/token answers, by grant (token_exchange, refresh_token, device_code, other) and outcome (ok, invalid_grant, invalid_request, invalid_client, rate_limited, unavailable, error).",
  ccgate_auth_rate_limited_total:
    "Auth requests refused by a rate limit (429), by bucket: token_per_address, failed_refresh_per_address, token_per_user, revoke_per_address.",
  ccgate_auth_entra_key_errors_total:
    "Entra ID tokens refused because Entra's signing keys could not be fetched (keys_unavailable) or none matched the token's kid (unknown_kid).",
  ccgate_auth_revocations_total:
    "Sessions revoked, by reason: logout, admin, reuse_detected (a refresh token was replayed), other.",
  ccgate_auth_signing_key_age_seconds:
    "Seconds since the current signing key started signing: above the rotation interval (CCGATE_KEY_ROTATION), the rotation cron is not running.",
});

/** The kind of each of the auth service's metrics (what the OpenTelemetry export makes of it). */
export const AUTH_METRIC_KINDS: Readonly<Record<string, "counter" | "gauge">> = Object.freeze({
  ccgate_auth_token_requests_total: "counter",
  ccgate_auth_rate_limited_total: "counter",
  ccgate_auth_entra_key_errors_total: "counter",
  ccgate_auth_revocations_total: "counter",
  ccgate_auth_signing_key_age_seconds: "gauge",
});

const GRANTS: readonly TokenGrantLabel[] = [
  "token_exchange",
  "refresh_token",
  "device_code",
  "other",
];
const OUTCOMES: readonly TokenOutcomeLabel[] = [
  "ok",
  "invalid_grant",
  "invalid_request",
  "invalid_client",
  "rate_limited",
  "unavailable",
  "error",
];
const REVOCATION_REASONS: readonly RevocationReasonLabel[] = [
  "logout",
  "admin",
  "reuse_detected",
  "other",
];
const KEY_ERRORS: readonly EntraKeyErrorLabel[] = ["keys_unavailable", "unknown_kid"];

/**
 * The auth service's in-process metrics: fixed label sets only (never a user,
 * client, tenant or path), bumped by plain counter increments on the request
 * path. Counts other objects already keep (rate limiter refusals, the
 * signing key's age) are read when sampled. Every series of a fixed label set
 * exists from the start at 0, so alerts on `rate()` see the first failure.
 *
 * Render it alone (`auth/main.ts`) or include it in the gateway's
 * `GatewayMetrics` so one `/metrics` serves both (the combined server).
 *
 * @example
 * ```ts
 * import { AuthMetrics } from "./auth_metrics.ts";
 * const metrics = new AuthMetrics();
 * metrics.tokenRequest("refresh_token", "ok");
 * console.assert(metrics.samples().some((s) => s.value === 1));
 * ```
 */
export class AuthMetrics {
  /** `# HELP` texts of these metrics (see {@linkcode AUTH_METRIC_HELP}). */
  readonly help: Readonly<Record<string, string>> = AUTH_METRIC_HELP;
  /** The kind of each metric (see {@linkcode AUTH_METRIC_KINDS}). */
  readonly kinds: Readonly<Record<string, "counter" | "gauge">> = AUTH_METRIC_KINDS;
  readonly #tokenRequests = new Map<string, number>();
  readonly #revocations = new Map<RevocationReasonLabel, number>();
  readonly #keyErrors = new Map<EntraKeyErrorLabel, number>();
  readonly #rateLimited: { bucket: string; read: () => number }[] = [];
  #keyAge: (() => number | undefined) | undefined;

  constructor() {
    for (const g of GRANTS) for (const o of OUTCOMES) this.#tokenRequests.set(`${g} ${o}`, 0);
    for (const r of REVOCATION_REASONS) this.#revocations.set(r, 0);
    for (const k of KEY_ERRORS) this.#keyErrors.set(k, 0);
  }

  /**
   * Counts one `POST /oauth/token` answer.
   *
   * @param grant The grant type, as a label ({@linkcode grantLabel}).
   * @param outcome How it ended ({@linkcode tokenOutcome} for errors).
   */
  tokenRequest(grant: TokenGrantLabel, outcome: TokenOutcomeLabel): void {
    const key = `${grant} ${outcome}`;
    this.#tokenRequests.set(key, (this.#tokenRequests.get(key) ?? 0) + 1);
  }

  /**
   * Counts one revoked session.
   *
   * @param reason The reason the session store recorded (`logout`, `admin`,
   *   `refresh_token_reuse`; anything else is `other`).
   */
  revocation(reason: string): void {
    const label = revocationLabel(reason);
    this.#revocations.set(label, this.#revocations.get(label)! + 1);
  }

  /**
   * Counts one Entra token refused for want of a signing key.
   *
   * @param reason Keys could not be fetched, or none matched the `kid`.
   */
  entraKeyError(reason: EntraKeyErrorLabel): void {
    this.#keyErrors.set(reason, this.#keyErrors.get(reason)! + 1);
  }

  /**
   * Registers a rate limiter's refusal count, read when sampled.
   *
   * @param bucket The limiter's name (a fixed name, never a key).
   * @param read Returns the refusals so far (`RateLimiter.refused`).
   */
  rateLimitedFrom(bucket: string, read: () => number): void {
    this.#rateLimited.push({ bucket, read });
  }

  /**
   * Registers the current signing key's age, read when sampled.
   *
   * @param read Seconds since the current key started signing (undefined: unknown, not rendered).
   */
  signingKeyAgeFrom(read: () => number | undefined): void {
    this.#keyAge = read;
  }

  /**
   * Every counter, as fresh samples.
   *
   * @returns The samples.
   */
  samples(): CounterSample[] {
    const out: CounterSample[] = [];
    for (const [key, value] of this.#tokenRequests) {
      const [grant, outcome] = key.split(" ") as [string, string];
      out.push({ name: "ccgate_auth_token_requests_total", labels: { grant, outcome }, value });
    }
    for (const { bucket, read } of this.#rateLimited) {
      out.push({ name: "ccgate_auth_rate_limited_total", labels: { bucket }, value: read() });
    }
    for (const [reason, value] of this.#keyErrors) {
      out.push({ name: "ccgate_auth_entra_key_errors_total", labels: { reason }, value });
    }
    for (const [reason, value] of this.#revocations) {
      out.push({ name: "ccgate_auth_revocations_total", labels: { reason }, value });
    }
    return out;
  }

  /**
   * Every gauge, as fresh samples.
   *
   * @returns The samples.
   */
  gauges(): CounterSample[] {
    const age = this.#keyAge?.();
    return age === undefined
      ? []
      : [{ name: "ccgate_auth_signing_key_age_seconds", labels: {}, value: age }];
  }

  /**
   * A counter's current value (0 when absent), for tests and checks.
   *
   * @param name Metric name.
   * @param labels Label values.
   * @returns The value.
   */
  value(name: string, labels: Record<string, string> = {}): number {
    const match = [...this.samples(), ...this.gauges()].find((s) =>
      s.name === name && Object.keys(labels).length === Object.keys(s.labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v)
    );
    return match?.value ?? 0;
  }
}

/**
 * The `grant` label of a `grant_type` parameter.
 *
 * @param grantType The form's `grant_type` (absent: `other`).
 * @returns The label.
 */
export function grantLabel(grantType: string | undefined): TokenGrantLabel {
  switch (grantType) {
    case "urn:ietf:params:oauth:grant-type:token-exchange":
      return "token_exchange";
    case "refresh_token":
      return "refresh_token";
    case "urn:ietf:params:oauth:grant-type:device_code":
      return "device_code";
    default:
      return "other";
  }
}

/**
 * The `outcome` label of an error a token request ended with, from its
 * RFC 6749 `error` value: `invalid_target`, `unsupported_grant_type` and
 * `unsupported_token_type` count as `invalid_request`; a 429 as
 * `rate_limited`; `temporarily_unavailable` and 503s as `unavailable`;
 * anything unexpected as `error`.
 *
 * @param err What the handler threw.
 * @returns The label.
 */
export function tokenOutcome(err: unknown): TokenOutcomeLabel {
  if (!(err instanceof AuthError)) return "error";
  if (err.status === 429) return "rate_limited";
  if (err.status === 503 || err.error === "temporarily_unavailable") return "unavailable";
  switch (err.error) {
    case "invalid_grant":
      return "invalid_grant";
    case "invalid_client":
      return "invalid_client";
    case "invalid_request":
    case "invalid_target":
    case "unsupported_grant_type":
    case "unsupported_token_type":
      return "invalid_request";
    default:
      return "error";
  }
}

/**
 * The `reason` label of a session store's revocation reason.
 *
 * @param reason `logout`, `admin`, `refresh_token_reuse` or anything else.
 * @returns The label.
 */
export function revocationLabel(reason: string): RevocationReasonLabel {
  switch (reason) {
    case "logout":
      return "logout";
    case "admin":
      return "admin";
    case "refresh_token_reuse":
      return "reuse_detected";
    default:
      return "other";
  }
}
