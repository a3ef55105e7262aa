import { ParameterTooLongError } from "./errors.ts";

/**
 * The most characters of a user id (`sub`, an Entra object id) or a session
 * id (`sid`) the auth service accepts from a client. Both become parts of KV
 * keys, and Deno KV refuses keys above 2 KiB: 256 UTF-16 code units are at
 * most 768 bytes of UTF-8, so any key built from one id (plus a short prefix
 * and a session id) stays well below that. An Entra object id is a GUID
 * (36 characters) and ccgate session ids are UUIDs, so the limit is generous.
 */
export const MAX_SUBJECT_LENGTH = 256;

/**
 * Checks that a client-supplied id fits {@linkcode MAX_SUBJECT_LENGTH} before
 * it goes into a KV key.
 *
 * @param value The id.
 * @param name What it is, as the client knows it (`Query parameter "sub"`), for the message.
 * @returns `value`, unchanged.
 * @throws {ParameterTooLongError} When it is longer (400 `invalid_request`).
 *
 * @example
 * ```ts
 * import { checkIdLength } from "@ccgate/auth";
 *
 * console.log(checkIdLength("00000000-0000-4000-8000-00000000a11c", 'Query parameter "sub"'));
 * ```
 */
export function checkIdLength(value: string, name: string): string {
  if (value.length > MAX_SUBJECT_LENGTH) throw new ParameterTooLongError(name, MAX_SUBJECT_LENGTH);
  return value;
}
