import { RequestLimitError } from "./errors.ts";

/** Limits of {@linkcode checkRequestLimits}. */
export interface RequestLimits {
  /** Most entries in `messages`. */
  maxMessages: number;
  /** Most entries in `tools`. */
  maxTools: number;
  /** Most blocks in `system` (when it is a list). */
  maxSystemBlocks: number;
}

/**
 * Refuses a Messages API body with more messages, tools or system blocks
 * than allowed, with a 400 that names the field and both numbers. Only array
 * lengths are read; shapes are checked by the translation.
 *
 * @param body The parsed request body.
 * @param limits The limits.
 * @throws {RequestLimitError} Naming the first field over its limit.
 *
 * @example
 * ```ts
 * import { checkRequestLimits } from "./check_request_limits.ts";
 * checkRequestLimits({ messages: [{}] }, { maxMessages: 10, maxTools: 10, maxSystemBlocks: 10 });
 * ```
 */
export function checkRequestLimits(body: Record<string, unknown>, limits: RequestLimits): void {
  _count(body.messages, "messages", limits.maxMessages);
  _count(body.tools, "tools", limits.maxTools);
  _count(body.system, "system", limits.maxSystemBlocks);
}

function _count(value: unknown, field: string, max: number): void {
  if (Array.isArray(value) && value.length > max) {
    throw new RequestLimitError(
      `${field}: ${value.length} entries exceed this gateway's limit of ${max}`,
    );
  }
}
