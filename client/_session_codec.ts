import { TokenStoreError } from "./errors.ts";
import type { StoredSession } from "./token_store.ts";

const VERSION = 1;

/** Serialises a session for a store. */
export function _encodeSession(session: StoredSession): string {
  return JSON.stringify({ version: VERSION, ...session });
}

/** Parses and validates what a store held. */
export function _decodeSession(text: string, location: string): StoredSession {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the parser's message as cause: it quotes the text around the error, a token included.
    throw new TokenStoreError(
      "store_corrupt",
      `Cannot read the session in ${location}: not JSON (cut off or overwritten)`,
    );
  }
  const corrupt = (what: string) =>
    new TokenStoreError("store_corrupt", `Cannot read the session in ${location}: ${what}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw corrupt("not an object");
  }
  if (value.version === undefined) throw corrupt('"version" is missing');
  if (value.version !== VERSION) throw corrupt(`unknown version ${JSON.stringify(value.version)}`);
  const str = (key: string, optional = false): string | undefined => {
    const v = value[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== "string" || v === "") throw corrupt(`"${key}" is not a string`);
    return v;
  };
  if (typeof value.expiresAt !== "number" || !Number.isFinite(value.expiresAt)) {
    throw corrupt('"expiresAt" is not a number');
  }
  return {
    issuer: str("issuer")!,
    tokenEndpoint: str("tokenEndpoint")!,
    revocationEndpoint: str("revocationEndpoint", true),
    clientId: str("clientId", true),
    accessToken: str("accessToken")!,
    expiresAt: value.expiresAt,
    refreshToken: str("refreshToken", true),
  };
}

/** base64 of UTF-8 text (no whitespace or quotes: safe in any command line parser). */
export function _toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** UTF-8 text of base64. */
export function _fromBase64(b64: string): string {
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
