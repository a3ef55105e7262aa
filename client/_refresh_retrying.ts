import { TokenRequestError } from "./errors.ts";
import { refresh } from "./refresh.ts";
import type { TokenRequestOptions, TokenResponse } from "./token_response.ts";

/**
 * The pauses before each retry of a refresh whose outcome is unknown, in
 * milliseconds: after a fast failure, every retry lands within 2 s of the
 * first attempt, inside the auth service's shortest grace window (5 s).
 */
export const _REFRESH_RETRY_DELAYS_MS: readonly number[] = [500, 1_500];

/**
 * No retry starts later than this after the first attempt was sent, in
 * milliseconds: inside the auth service's default grace window (30 s), with
 * room for the request to arrive.
 */
export const _REFRESH_RETRY_WINDOW_MS = 20_000;

/** The clock and the pause of {@linkcode _refreshRetrying}. */
export interface _RetryDeps {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Whether the auth service may have rotated the refresh token although no
 * valid answer arrived: a network failure, a timeout, an HTTP 5xx, an answer
 * cut off or garbled. Not a refusal it explained (RFC 6749 error, HTTP 429).
 */
function outcomeUnknown(err: unknown): boolean {
  return err instanceof TokenRequestError &&
    (err.code === "network_error" || err.code === "response_invalid");
}

/**
 * {@linkcode refresh}, retried promptly with the same refresh token when its
 * outcome is unknown. The auth service rotates a refresh token when it
 * receives it; if the answer is then lost, the old token is "already used",
 * and presenting it later than the grace window revokes the whole session.
 * Inside the window the service answers the same successor again, so a
 * prompt retry recovers the session.
 */
export async function _refreshRetrying(
  tokenEndpoint: string,
  refreshToken: string,
  options: TokenRequestOptions,
  deps: _RetryDeps,
): Promise<TokenResponse> {
  const first = deps.now().getTime();
  for (let attempt = 0;; attempt++) {
    try {
      return await refresh(tokenEndpoint, refreshToken, options);
    } catch (err) {
      const delay = _REFRESH_RETRY_DELAYS_MS[attempt];
      if (
        !outcomeUnknown(err) || delay === undefined ||
        deps.now().getTime() + delay - first > _REFRESH_RETRY_WINDOW_MS
      ) {
        throw err;
      }
      await deps.sleep(delay);
    }
  }
}
