/** Where a path comes from, for {@linkcode configDir}. */
export interface ConfigDirDeps {
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** The operating system. */
  os: typeof Deno.build.os;
}

/**
 * The folder where the CLI keeps its configuration and (without a keychain)
 * its session: `CCGATE_CONFIG_DIR` when set, else `%APPDATA%\ccgate` on
 * Windows, `~/Library/Application Support/ccgate` on macOS, and
 * `$XDG_CONFIG_HOME/ccgate` (default `~/.config/ccgate`) elsewhere.
 *
 * @param deps Environment and operating system.
 * @returns The folder's absolute path (it may not exist yet).
 * @throws {Error} When no home folder is known.
 */
export function configDir(deps: ConfigDirDeps): string {
  const override = deps.env("CCGATE_CONFIG_DIR");
  if (override) return override;
  if (deps.os === "windows") {
    const appData = deps.env("APPDATA");
    if (appData) return `${appData}\\ccgate`;
    const profile = deps.env("USERPROFILE");
    if (profile) return `${profile}\\AppData\\Roaming\\ccgate`;
    throw new Error("Cannot find the configuration folder: APPDATA is not set");
  }
  const home = deps.env("HOME");
  if (deps.os === "darwin" && home) return `${home}/Library/Application Support/ccgate`;
  const xdg = deps.env("XDG_CONFIG_HOME");
  if (xdg && xdg.startsWith("/")) return `${xdg}/ccgate`;
  if (home) return `${home}/.config/ccgate`;
  throw new Error("Cannot find the configuration folder: HOME is not set");
}
