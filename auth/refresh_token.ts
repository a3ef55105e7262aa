/**
 * The material of ccgate refresh tokens: opaque, 256-bit random, stored
 * only as their SHA-256. A rotated token's record also keeps its successor
 * *sealed* (AES-256-GCM under a key derived with HKDF from the rotated
 * token itself), so a concurrent caller presenting the same rotated token
 * inside the grace window, on any instance, gets the same successor, while
 * KV never holds a token anyone could use.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Prefix of every ccgate refresh token, so secret scanners and log scans can spot one. */
export const REFRESH_TOKEN_PREFIX = "ccgr_";

/**
 * Generates a refresh token: `ccgr_` and 32 random bytes, base64url.
 *
 * @returns A fresh refresh token.
 *
 * @example
 * ```ts
 * import { generateRefreshToken } from "@ccgate/auth";
 *
 * console.log(generateRefreshToken().length); // 48
 * ```
 */
export function generateRefreshToken(): string {
  return REFRESH_TOKEN_PREFIX + _base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * SHA-256 of a refresh token, base64url: its KV key and the only form in
 * which it is stored.
 *
 * @param token The refresh token.
 * @returns The hash.
 *
 * @example
 * ```ts
 * import { hashRefreshToken } from "@ccgate/auth";
 *
 * console.log((await hashRefreshToken("ccgr_x")).length); // 43
 * ```
 */
export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  return _base64url(new Uint8Array(digest));
}

/**
 * Seals a successor refresh token so that only a holder of the rotated
 * token can open it.
 *
 * @param rotated The token being rotated (the key material).
 * @param successor The token that replaces it.
 * @returns base64url of IV and ciphertext.
 *
 * @example Seal and open
 * ```ts
 * import { openSuccessor, sealSuccessor } from "@ccgate/auth";
 *
 * const sealed = await sealSuccessor("ccgr_old", "ccgr_new");
 * console.log(await openSuccessor("ccgr_old", sealed)); // "ccgr_new"
 * ```
 */
export async function sealSuccessor(rotated: string, successor: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await _deriveKey(rotated, "encrypt");
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(successor)),
  );
  const out = new Uint8Array(iv.length + ciphertext.length);
  out.set(iv);
  out.set(ciphertext, iv.length);
  return _base64url(out);
}

/**
 * Opens a successor sealed by {@linkcode sealSuccessor}.
 *
 * @param rotated The rotated token presented by the caller.
 * @param sealed What `sealSuccessor` returned.
 * @returns The successor token.
 * @throws {DOMException} When `rotated` is not the token it was sealed with.
 */
export async function openSuccessor(rotated: string, sealed: string): Promise<string> {
  const bytes = _fromBase64url(sealed);
  const key = await _deriveKey(rotated, "decrypt");
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12) },
    key,
    bytes.slice(12),
  );
  return decoder.decode(plaintext);
}

async function _deriveKey(token: string, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(token), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("ccgate refresh successor v1"),
      info: new Uint8Array(),
    },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

function _base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function _fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
