import { InstallerError } from "./errors.ts";

/**
 * Refuses a value with a line break: systemd units, crontab lines, `.cmd`
 * files and Task Scheduler commands are line-based and cannot hold one.
 *
 * @param values Paths and values to check.
 * @param where What they would be written into ("systemd unit").
 * @throws {InstallerError} `usage`, naming the value.
 */
export function assertNoLineBreak(values: Iterable<string>, where: string): void {
  for (const value of values) {
    if (/[\r\n]/.test(value)) {
      throw new InstallerError(
        "usage",
        `Cannot write the ${where}: ${
          JSON.stringify(value)
        } contains a line break, which it cannot hold; install from a home and folders without one`,
      );
    }
  }
}
