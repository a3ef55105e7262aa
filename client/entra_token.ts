/** An Entra ID access token for the ccgate API, ready for {@linkcode exchangeToken}. */
export interface EntraToken {
  /** The Entra ID access token. */
  accessToken: string;
  /** When it expires, if known. */
  expiresAt?: Date;
}

/** What the sign-in flows need from the outside world. */
export interface SignInDeps {
  /**
   * The `fetch` used to reach Entra ID.
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Waits between device code polls (tests pass one that returns at once).
   * @default {a setTimeout-based sleep that stops on abort}
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The clock.
   * @default {() => new Date()}
   */
  now?: () => Date;
}
