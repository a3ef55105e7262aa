import { InvalidRequestError } from "../errors.ts";

/**
 * An admin API parameter (query or path) that goes into a KV key, refused
 * with a 400 past `max` characters: KV keys hold 2 KiB, and no user id,
 * group or model the ledger keeps is longer.
 *
 * @param name The parameter's name, for the message.
 * @param value Its value, if given.
 * @param max Most characters.
 * @returns The value.
 *
 * @example
 * ```ts
 * import { boundedParam } from "./bounded_param.ts";
 * console.assert(boundedParam("user", "00000000-0000-0000-0000-00000000a11c", 256)!.length === 36);
 * ```
 */
export function boundedParam<T extends string | undefined>(name: string, value: T, max: number): T {
  if (value !== undefined && value.length > max) {
    throw new InvalidRequestError(`${name}: at most ${max} characters`);
  }
  return value;
}
