/** What {@linkcode installDenoPath} looks at. */
export interface InstallDenoPathDeps {
  /** `PATH`, as the environment has it. */
  path: string | undefined;
  /** The operating system. */
  os: typeof Deno.build.os;
  /** Resolves a path's symbolic links; rejects when there is no such file. */
  realPath: (path: string) => Promise<string>;
}

/**
 * The `deno` the launcher `ccgate install` writes should start: the first
 * `deno` on `PATH` that is the running one, as `PATH` names it (say
 * `/usr/local/bin/deno`), else the running one. `Deno.execPath()` resolves
 * symbolic links, so on its own it can name a path that goes away while the
 * link stays (an `npx` cache, a version manager's folder).
 *
 * @param execPath The running `deno` (`Deno.execPath()`).
 * @param deps `PATH`, the OS, and how to resolve links.
 * @returns An absolute path to the same `deno`.
 *
 * @example
 * ```ts
 * import { installDenoPath } from "./install_deno_path.ts";
 *
 * const deno = await installDenoPath("/root/.npm/_npx/7a40/node_modules/deno/deno", {
 *   path: "/usr/local/bin:/usr/bin",
 *   os: "linux",
 *   realPath: (p) =>
 *     p === "/usr/local/bin/deno"
 *       ? Promise.resolve("/root/.npm/_npx/7a40/node_modules/deno/deno")
 *       : Promise.reject(new Deno.errors.NotFound(p)),
 * });
 * console.assert(deno === "/usr/local/bin/deno");
 * ```
 */
export async function installDenoPath(
  execPath: string,
  deps: InstallDenoPathDeps,
): Promise<string> {
  const windows = deps.os === "windows";
  const real = async (path: string) => await deps.realPath(path).catch(() => undefined);
  const running = await real(execPath) ?? execPath;
  for (const dir of (deps.path ?? "").split(windows ? ";" : ":")) {
    // Only absolute folders: the launcher runs from any working folder.
    if (windows ? !/^[A-Za-z]:[\\/]/.test(dir) : !dir.startsWith("/")) continue;
    const candidate = `${dir.replace(/[\\/]+$/, "")}${windows ? "\\deno.exe" : "/deno"}`;
    if (await real(candidate) === running) return candidate;
  }
  return execPath;
}
