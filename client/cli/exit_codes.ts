import {
  CcgateError,
  SessionError,
  SignInError,
  TokenRequestError,
  TokenStoreError,
} from "../errors.ts";

/**
 * The CLI's exit codes. A standard output whose reader has left (a broken
 * pipe: `ccgate token | head -c0`) is not an error and has no code of its
 * own: the rest of the output is dropped, nothing is printed, and the command
 * ends with the code of what it did (0 for a token it printed).
 */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** An unexpected error (a bug: run again with `--debug` and report it). */
  error: 1,
  /** Bad usage: unknown command or option, missing ccgate URL. */
  usage: 2,
  /** Not signed in, or the session has ended: run `ccgate login`. */
  loginRequired: 3,
  /**
   * ccgate or Entra ID is unreachable, failing or rate limiting (try again later), or the URL
   * is not ccgate's.
   */
  unavailable: 4,
  /** Sign-in did not complete: declined, expired, timed out, refused. */
  signInFailed: 5,
  /** The token store (keychain, file, lock) failed. */
  storeFailed: 6,
  /** install, uninstall or mirror could not finish (bad settings file, checksum, command). */
  installFailed: 7,
  /** `ccgate doctor` found a problem. */
  checksFailed: 8,
} as const;

/** The exit codes, as `--help` shows them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  unexpected error (run again with --debug)
  2  usage error
  3  sign-in needed: run \`ccgate login\`
  4  ccgate or Entra ID unreachable, failing or rate limiting (try again later),
     or not ccgate;
     logout, uninstall: the session could not be revoked (it ends when it expires)
  5  sign-in failed (declined, expired, timed out, refused)
  6  token store failed (keychain, file or lock)
  7  install, uninstall or mirror failed (see the message)
  8  doctor found a problem`;

/** A usage error of the CLI (exit code 2). */
export class UsageError extends Error {
  /** @param message What is wrong with the command line. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** ccgate is unreachable, failing, or not a ccgate server (exit code 4). */
export class UnavailableError extends Error {
  /**
   * @param message What could not be used, naming the URL (never its credentials).
   * @param options The underlying cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnavailableError";
  }
}

/** An install, uninstall or mirror step that could not be done (exit code 7). */
export class InstallFailedError extends Error {
  /**
   * @param message What could not be done and why, in one line.
   * @param options The underlying cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InstallFailedError";
  }
}

/** The exit code of an error. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof UnavailableError) return EXIT.unavailable;
  if (err instanceof InstallFailedError) return EXIT.installFailed;
  if (err instanceof SessionError) return EXIT.loginRequired;
  if (err instanceof SignInError) {
    return err.code === "network_error" ? EXIT.unavailable : EXIT.signInFailed;
  }
  if (err instanceof TokenStoreError) return EXIT.storeFailed;
  if (err instanceof TokenRequestError) {
    if (err.code === "grant_invalid") return EXIT.signInFailed;
    if (err.code === "network_error" || err.code === "rate_limited") return EXIT.unavailable;
    // An endpoint that is not an http(s) URL came from the server's metadata: not ccgate's.
    if (err.code === "endpoint_invalid") return EXIT.unavailable;
    if (err.code === "aborted") return EXIT.error;
    return EXIT.signInFailed;
  }
  if (err instanceof CcgateError) return EXIT.error;
  // The installer's errors (not imported here: only install/doctor/mirror load it).
  if (err instanceof Error && err.name === "InstallerError") {
    const code = (err as { code?: string }).code;
    if (code === "usage") return EXIT.usage;
    if (code === "download_failed") return EXIT.unavailable;
    return EXIT.installFailed;
  }
  return EXIT.error;
}
