/**
 * Test helper: a {@linkcode Sys} whose absolute paths live under a temporary
 * root (so `/etc/claude-code` is `<root>/etc/claude-code`), with a command
 * runner that records every command and answers from a script. Real files,
 * real modes: only the root and the commands are the test's.
 *
 * @module
 */
import type { InstallOs } from "../claude_settings_location.ts";
import type { Sys, SysCommandOutput } from "../sys.ts";

/** A recorded command. */
export interface RecordedCommand {
  command: string;
  args: string[];
  stdin?: string;
}

/** Options of {@linkcode rootedSys}. */
export interface RootedSysOptions {
  root: string;
  os?: InstallOs;
  home?: string;
  env?: Record<string, string>;
  now?: Date;
  admin?: boolean;
  /** Answers a command; "missing" throws NotFound. Default: every command is missing. */
  answer?: (
    command: string,
    args: string[],
    stdin?: string,
  ) => Partial<SysCommandOutput> | "missing";
}

/** A rooted Sys plus what it ran. */
export interface RootedSys extends Sys {
  commands: RecordedCommand[];
  /** The real path of a path inside the root. */
  real(path: string): string;
}

/** Builds a {@linkcode RootedSys}. */
export function rootedSys(options: RootedSysOptions): RootedSys {
  const real = (path: string) => options.root + path;
  const commands: RecordedCommand[] = [];
  const env = options.env ?? {};
  return {
    os: options.os ?? "linux",
    home: options.home ?? "/home/dev",
    env: (name) => env[name],
    now: () => options.now ?? new Date("2026-11-30T03:00:00Z"),
    isAdmin: () => Promise.resolve(options.admin ?? false),
    async readFile(path) {
      try {
        return await Deno.readFile(real(path));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      }
    },
    async writeFile(path, data, mode) {
      await Deno.writeFile(real(path), data, { mode });
      await Deno.chmod(real(path), mode);
    },
    async remove(path) {
      try {
        await Deno.remove(real(path));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    },
    async mode(path) {
      try {
        return ((await Deno.stat(real(path))).mode ?? 0) & 0o777;
      } catch {
        return undefined;
      }
    },
    async exists(path) {
      try {
        await Deno.lstat(real(path));
        return true;
      } catch {
        return false;
      }
    },
    async mkdir(path, mode) {
      await Deno.mkdir(real(path), { mode });
    },
    async listDir(path) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(real(path))) names.push(e.name);
      } catch {
        // absent
      }
      return names.sort();
    },
    async isEmptyDir(path) {
      try {
        for await (const _ of Deno.readDir(real(path))) return false;
      } catch {
        // absent
      }
      return true;
    },
    run(command, args, stdin) {
      commands.push(stdin === undefined ? { command, args } : { command, args, stdin });
      const a = (options.answer ?? (() => "missing"))(command, args, stdin);
      if (a === "missing") return Promise.reject(new Deno.errors.NotFound(command));
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...a });
    },
    commands,
    real,
  };
}

/**
 * Every file and folder under `dir`, with its mode and the SHA-256 of its
 * bytes: a snapshot to compare (a digest, not the bytes: Claude Code's own
 * files in a HOME run to megabytes).
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string) => {
    const entries = [];
    for await (const e of Deno.readDir(d)) entries.push(e);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = `${d}/${e.name}`;
      const key = `${rel}/${e.name}`;
      const mode = ((await Deno.lstat(path)).mode ?? 0) & 0o777;
      if (e.isDirectory) {
        out[key + "/"] = `dir ${mode.toString(8)}`;
        await walk(path, key);
      } else {
        const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
        out[key] = `${mode.toString(8)} ${new Uint8Array(digest).toHex()}`;
      }
    }
  };
  await walk(dir, "");
  return out;
}
