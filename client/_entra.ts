import * as oauth from "oauth4webapi";
import { SignInError } from "./errors.ts";
import { _isLoopback } from "./_loopback.ts";
import type { EntraSignInConfig } from "./discover.ts";
import type { EntraToken } from "./entra_token.ts";

/** The oauth4webapi options this client sets. */
export interface _RequestOptions {
  [oauth.customFetch]?: (url: string, init: RequestInit) => Promise<Response>;
  [oauth.allowInsecureRequests]?: boolean;
}

/** oauth4webapi request options: custom fetch, and plain HTTP for loopback only. */
export function _requestOptions(
  authority: URL,
  fetchImpl: typeof fetch | undefined,
): _RequestOptions {
  return {
    ...(fetchImpl ? { [oauth.customFetch]: fetchImpl } : {}),
    ...(authority.protocol === "http:" && _isLoopback(authority)
      ? { [oauth.allowInsecureRequests]: true }
      : {}),
  };
}

/** Discovers Entra's endpoints (OIDC discovery of the tenant's v2.0 authority). */
export async function _entraServer(
  config: EntraSignInConfig,
  fetchImpl: typeof fetch | undefined,
): Promise<oauth.AuthorizationServer> {
  const authority = new URL(config.authority);
  try {
    const response = await oauth.discoveryRequest(authority, {
      algorithm: "oidc",
      ..._requestOptions(authority, fetchImpl),
    });
    return await oauth.processDiscoveryResponse(authority, response);
  } catch (err) {
    throw _signInFailure(err, `Cannot read Entra ID's configuration at "${authority.href}"`);
  }
}

/**
 * Maps an oauth4webapi or fetch failure to a SignInError: `network_error`
 * when Entra ID could not be reached.
 */
export function _signInFailure(err: unknown, context: string): SignInError {
  if (err instanceof SignInError) return err;
  if (err instanceof oauth.ResponseBodyError || err instanceof oauth.AuthorizationResponseError) {
    if (err.error === "access_denied" || err.error === "authorization_declined") {
      return new SignInError("sign_in_declined", "Sign-in was declined", { cause: err });
    }
    if (err.error === "expired_token") {
      return new SignInError("sign_in_expired", "The sign-in code expired", { cause: err });
    }
    const description = err.error_description?.split(/\r?\n/)[0];
    return new SignInError(
      "sign_in_failed",
      `${context}: ${err.error}${description ? ` (${description})` : ""}`,
      { cause: err },
    );
  }
  // fetch's own failures: a TypeError without oauth4webapi's `code`, or a timeout.
  const timedOut = err instanceof DOMException && err.name === "TimeoutError";
  if (timedOut || (err instanceof TypeError && (err as { code?: unknown }).code === undefined)) {
    return new SignInError(
      "network_error",
      `${context}: Entra ID ${timedOut ? "did not answer in time" : "is unreachable"}`,
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SignInError("sign_in_failed", `${context}: ${message}`, { cause: err });
}

/** The Entra token of a processed token endpoint response. */
export function _entraToken(result: oauth.TokenEndpointResponse, now: Date): EntraToken {
  return {
    accessToken: result.access_token,
    expiresAt: typeof result.expires_in === "number"
      ? new Date(now.getTime() + result.expires_in * 1000)
      : undefined,
  };
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function _sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
