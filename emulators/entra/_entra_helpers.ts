/**
 * Small encoding and checking helpers of the emulated Entra flows.
 *
 * @module
 */

/** @internal */
export function _withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** @internal */
export function _random(bytes: number): string {
  return _base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** @internal */
export function _base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** @internal */
export function _userCode(): string {
  const alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** @internal */
export async function _s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return _base64url(new Uint8Array(digest));
}

/** @internal */
export async function _pairwiseSubject(oid: string, audience: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${oid}:${audience}`),
  );
  return _base64url(new Uint8Array(digest));
}

/** @internal */
export function _isLoopback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" &&
      (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]");
  } catch {
    return false;
  }
}
