/**
 * The one error class of the Bedrock emulator, for misuse of its API (bad
 * scripts, malformed event lists). Bedrock's own errors are HTTP responses,
 * never thrown.
 *
 * @module
 */

/** Stable codes of {@linkcode BedrockEmulatorError}. */
export type BedrockEmulatorErrorCode =
  | "invalid_event_sequence"
  | "invalid_script"
  | "emulator_closed";

/**
 * Thrown when the emulator is used wrongly; `code` is stable, the message is for humans.
 *
 * @example Switch on the code
 * ```ts
 * import { BedrockEmulatorError } from "./errors.ts";
 * const err = new BedrockEmulatorError("invalid_script", "Cannot enqueue: script has no events");
 * if (err.code !== "invalid_script") throw new Error("unexpected");
 * ```
 */
export class BedrockEmulatorError extends Error {
  /** Machine-readable reason. */
  readonly code: BedrockEmulatorErrorCode;

  /**
   * @param code Machine-readable reason.
   * @param message Human-readable message, "Cannot <action>: <state>".
   */
  constructor(code: BedrockEmulatorErrorCode, message: string) {
    super(message);
    this.name = "BedrockEmulatorError";
    this.code = code;
  }
}
