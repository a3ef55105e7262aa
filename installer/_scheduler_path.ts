/**
 * The `PATH` the scheduled `ccgate refresh` runs with (private: the doctor
 * reads it to tell whether a launcher's fallback `deno` is found there too).
 *
 * @module
 */
import { CRONTAB_MARKER } from "./crontab_entry.ts";
import type { InstallManifest } from "./install_manifest.ts";
import type { Sys } from "./sys.ts";

/** cron's `PATH` for a crontab that sets none (crontab(5): Debian's cron, cronie). */
export const CRON_DEFAULT_PATH = "/usr/bin:/bin";

/** launchd's `PATH` for a job whose plist sets none (ccgate's sets none). */
export const LAUNCHD_DEFAULT_PATH = "/usr/bin:/bin:/usr/sbin:/sbin";

/**
 * The `PATH` of the refresh schedule `m` recorded: the user manager's
 * (`systemctl --user show-environment`; a `--global` unit runs in it too),
 * the crontab's last `PATH=` above ccgate's lines or cron's default,
 * launchd's default. `undefined` when unknown (no schedule, Task Scheduler,
 * which runs a task with the user's own `PATH`, or a systemd that did not say).
 */
export async function schedulerPath(
  sys: Sys,
  m: InstallManifest,
): Promise<string | undefined> {
  const run = (command: string, args: string[]) =>
    sys.run(command, args).catch(() => ({ code: -1, stdout: "", stderr: "" }));
  switch (m.schedule?.kind) {
    case "systemd": {
      const out = await run("systemctl", ["--user", "show-environment"]);
      if (out.code !== 0) return undefined;
      return /^PATH=(.*)$/m.exec(out.stdout)?.[1];
    }
    case "cron": {
      const out = await run("crontab", ["-l"]);
      let path = CRON_DEFAULT_PATH;
      for (const line of out.stdout.split("\n")) {
        if (line.endsWith(CRONTAB_MARKER)) break;
        const set = /^\s*PATH\s*=\s*(.*?)\s*$/.exec(line)?.[1];
        if (set !== undefined) path = set.replace(/^(["'])(.*)\1$/, "$2");
      }
      return path;
    }
    case "launchd":
      return LAUNCHD_DEFAULT_PATH;
    default:
      return undefined;
  }
}
