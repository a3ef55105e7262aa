import type { EntraSignInConfig } from "../discover.ts";

/** The token store kinds the CLI knows. */
export type StoreKind =
  | "file"
  | "macos-keychain"
  | "secret-service"
  | "windows-credential-manager";

/** Every {@linkcode StoreKind}. */
export const STORE_KINDS: readonly StoreKind[] = [
  "file",
  "macos-keychain",
  "secret-service",
  "windows-credential-manager",
];

/** What the CLI remembers between runs (no secrets: those are in the token store). */
export interface CliConfig {
  /** The ccgate URL signed in to. */
  url: string;
  /** Where the session lives. */
  store: StoreKind;
  /** The gateway's base URL (for `status`). */
  gatewayUrl?: string;
  /** Entra sign-in settings given on the command line, kept for the next `login`. */
  entra?: EntraSignInConfig;
}

/** The path of the configuration file in a config folder. */
export function configPath(dir: string): string {
  return `${dir}/config.json`;
}

/** Reads the configuration; `undefined` when there is none. */
export async function loadCliConfig(dir: string): Promise<CliConfig | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(configPath(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  let value: Partial<CliConfig>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Cannot read "${configPath(dir)}": not JSON`);
  }
  if (typeof value.url !== "string" || !STORE_KINDS.includes(value.store as StoreKind)) {
    throw new Error(`Cannot read "${configPath(dir)}": "url" or "store" is missing`);
  }
  return value as CliConfig;
}

/** Writes the configuration (0600, atomically: a new file renamed into place). */
export async function saveCliConfig(dir: string, config: CliConfig): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = configPath(dir);
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(config, null, 2) + "\n", {
      createNew: true,
      mode: 0o600,
    });
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
