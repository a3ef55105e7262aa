import type { InstallOs } from "./claude_settings_location.ts";

/** What a finished command produced. */
export interface SysCommandOutput {
  /** The exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Everything the installer takes from the machine. The only implementation
 * that touches a real machine is {@linkcode denoSys}; tests pass one over a
 * temporary root with a recording command runner.
 */
export interface Sys {
  /** The OS. */
  os: InstallOs;
  /** The user's home folder. */
  home: string;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The clock. */
  now(): Date;
  /** Whether the process runs as root / Administrator (system scope needs it). */
  isAdmin(): Promise<boolean>;
  /** Reads a file; `undefined` when it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /**
   * Writes a file atomically (a temporary file renamed into place) with a
   * mode. A symbolic link (a dotfiles manager's) is kept: the write goes to
   * the file it points to, the temporary file beside that file.
   */
  writeFile(path: string, data: Uint8Array, mode: number): Promise<void>;
  /** Removes a file or an empty folder; nothing when absent. */
  remove(path: string): Promise<void>;
  /** A file's permission bits (`undefined` when absent, or on Windows). */
  mode(path: string): Promise<number | undefined>;
  /** Whether a path exists. */
  exists(path: string): Promise<boolean>;
  /** Creates one folder (the parent must exist). */
  mkdir(path: string, mode: number): Promise<void>;
  /** The names in a folder, sorted (empty when absent). */
  listDir(path: string): Promise<string[]>;
  /** Whether a folder is empty (or absent). */
  isEmptyDir(path: string): Promise<boolean>;
  /** Runs a command; throws `Deno.errors.NotFound` when it does not exist. */
  run(command: string, args: string[], stdin?: string): Promise<SysCommandOutput>;
}

const isAbsolute = (os: InstallOs, p: string) =>
  os === "windows" ? /^(?:[A-Za-z]:[\\/]|[\\/])/.test(p) : p.startsWith("/");

const dirname = (os: InstallOs, p: string) => {
  const at = os === "windows"
    ? Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"))
    : p.lastIndexOf("/");
  return at <= 0 ? (at === 0 ? p.slice(0, 1) : ".") : p.slice(0, at);
};

/**
 * The file a path ends at after following its symbolic links (each relative
 * link read from its own folder); the path itself when it is no link or
 * does not exist. A dangling link gives the missing file it names.
 */
async function finalTarget(os: InstallOs, path: string): Promise<string> {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(p);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return p;
      throw err;
    }
    if (!info.isSymlink) return p;
    const to = await Deno.readLink(p);
    p = isAbsolute(os, to) ? to : `${dirname(os, p)}${os === "windows" ? "\\" : "/"}${to}`;
  }
  throw new Deno.errors.FilesystemLoop(`Cannot write "${path}": too many levels of symbolic links`);
}

/** Options of {@linkcode denoSys}. */
export interface DenoSysOptions {
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** Runs commands (the CLI's runner). */
  run: Sys["run"];
  /** The clock. */
  now: () => Date;
}

/** The real machine, through `Deno.*`. */
export function denoSys(options: DenoSysOptions): Sys {
  const os: InstallOs = Deno.build.os === "darwin"
    ? "darwin"
    : Deno.build.os === "windows"
    ? "windows"
    : "linux";
  const home = (os === "windows" ? options.env("USERPROFILE") : options.env("HOME")) ?? "";
  return {
    os,
    home,
    env: options.env,
    now: options.now,
    async isAdmin() {
      if (os !== "windows") return Deno.uid() === 0;
      try {
        return (await options.run("net", ["session"])).code === 0;
      } catch {
        return false;
      }
    },
    async readFile(path) {
      try {
        return await Deno.readFile(path);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      }
    },
    async writeFile(path, data, mode) {
      const target = await finalTarget(os, path);
      const tmp = `${target}.ccgate-${crypto.randomUUID()}.tmp`;
      try {
        await Deno.writeFile(tmp, data, { mode, createNew: true });
        if (os !== "windows") await Deno.chmod(tmp, mode);
        await Deno.rename(tmp, target);
      } catch (err) {
        await Deno.remove(tmp).catch(() => {});
        throw err;
      }
    },
    async remove(path) {
      try {
        await Deno.remove(path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    },
    async mode(path) {
      try {
        const mode = (await Deno.stat(path)).mode;
        return mode === null ? undefined : mode & 0o777;
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      }
    },
    async exists(path) {
      try {
        await Deno.lstat(path);
        return true;
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return false;
        throw err;
      }
    },
    async mkdir(path, mode) {
      await Deno.mkdir(path, { mode });
    },
    async listDir(path) {
      const names: string[] = [];
      try {
        for await (const e of Deno.readDir(path)) names.push(e.name);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      return names.sort();
    },
    async isEmptyDir(path) {
      try {
        for await (const _ of Deno.readDir(path)) return false;
        return true;
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return true;
        throw err;
      }
    },
    run: options.run,
  };
}
