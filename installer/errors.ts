/**
 * Errors of the installer. Each has a stable {@linkcode InstallerErrorCode};
 * messages say what could not be done and why, in one line.
 *
 * @module
 */

/** The stable codes of {@linkcode InstallerError}. */
export type InstallerErrorCode =
  /** An existing settings file is not valid JSON (nothing was changed). */
  | "settings_invalid"
  /** The options do not make sense together, or one is missing. */
  | "usage"
  /** The operating system or platform is not supported for this step. */
  | "unsupported"
  /** A command the step needs failed. */
  | "command_failed"
  /** A download failed (HTTP error, connection, cut short). */
  | "download_failed"
  /** A file could not be written (disk full, read-only, not a folder). */
  | "write_failed"
  /** A downloaded file does not match the release manifest's SHA-256 or size. */
  | "checksum_mismatch"
  /** The release manifest is missing or malformed. */
  | "manifest_invalid"
  /** The install manifest (what install wrote) is unreadable. */
  | "manifest_corrupt";

/** An error of the installer, with a stable code. */
export class InstallerError extends Error {
  /** The stable code. */
  readonly code: InstallerErrorCode;
  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message One line: "Cannot <action>: <state>".
   */
  constructor(code: InstallerErrorCode, message: string) {
    super(message);
    this.name = "InstallerError";
    this.code = code;
  }
}
