import { InstallFailedError } from "./exit_codes.ts";

/** Deno's errors of a file system operation. */
const FILE_SYSTEM_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.FilesystemLoop,
  Deno.errors.Busy,
];

/**
 * What an installer command (`install`, `uninstall`, `mirror`) throws when
 * the operating system refused one of its file operations (a read-only or
 * full disk, a folder where a file should be): an {@linkcode InstallFailedError}
 * (exit code 7) whose one line names the command and keeps the system's
 * message, which names the path. Any other error, and any error of ccgate's
 * own (which has its exit code already), is returned as it is.
 *
 * @param command The command's name.
 * @param err What it threw.
 * @returns The error to throw.
 */
export function osFailure(command: string, err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const fromOs = FILE_SYSTEM_ERRORS.some((kind) => err instanceof kind) ||
    (Object.getPrototypeOf(err) === Error.prototype && /\(os error \d+\)/.test(err.message));
  if (!fromOs) return err;
  return new InstallFailedError(`Cannot ${command}: ${err.message}`, { cause: err });
}
