import type { EntraSignInConfig } from "../discover.ts";
import { TokenStoreError } from "../errors.ts";

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
  /** The ccgate URL signed in to: the auth service's (its issuer), which serves the gateway too unless `gatewayUrl` says otherwise. */
  url: string;
  /** Where the session lives. */
  store: StoreKind;
  /** The gateway's base URL, when it is not `url` (for `status`, `doctor` and `install`). */
  gatewayUrl?: string;
  /** Entra sign-in settings given on the command line, kept for the next `login`. */
  entra?: EntraSignInConfig;
}

/** The path of the configuration file in a config folder. */
export function configPath(dir: string): string {
  return `${dir}/config.json`;
}

function parentOf(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i <= 0 ? path : path.slice(0, i);
}

/**
 * The store failure (exit code 6) of a file operation on `path` in the config
 * folder, naming the path, what is wrong and what to do; never the raw OS error.
 *
 * @param action What was being done: `"read"`, `"write"`, ...
 * @param path The file.
 * @param err What the file system threw.
 * @param dir The folder whose permissions to fix; default: the path's parent.
 */
export function storeFailure(
  action: string,
  path: string,
  err: unknown,
  dir: string = parentOf(path),
): TokenStoreError {
  let what: string;
  if (err instanceof Deno.errors.PermissionDenied) {
    what =
      `permission denied; fix the permissions of "${dir}" (chmod 700) or set CCGATE_CONFIG_DIR`;
  } else if (err instanceof Deno.errors.NotADirectory) {
    what =
      `"${dir}" (or a folder above it) is a file, not a folder; move it away or set CCGATE_CONFIG_DIR`;
  } else if (err instanceof Deno.errors.IsADirectory) {
    what = "it is a folder, not a file; move it away";
  } else {
    const message = err instanceof Error ? err.message : String(err);
    what = message.split("\n")[0]!.replace(/ \(os error \d+\).*$/, "");
  }
  return new TokenStoreError("store_failed", `Cannot ${action} "${path}": ${what}`, { cause: err });
}

/** Why a parsed config.json is not a {@linkcode CliConfig}; `undefined` when it is one. */
function configProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "not a JSON object";
  }
  const v = value as Record<string, unknown>;
  const shown = (x: unknown) => JSON.stringify(x) ?? String(x);
  if (v.url === undefined) return '"url" is missing';
  if (typeof v.url !== "string") return `"url" is not a string (${shown(v.url)})`;
  if (!URL.canParse(v.url)) return `"url" is not a URL (${shown(v.url)})`;
  if (v.store === undefined) return '"store" is missing';
  if (!STORE_KINDS.includes(v.store as StoreKind)) {
    return `"store" is ${shown(v.store)}, not one of ${STORE_KINDS.join(", ")}`;
  }
  if (
    v.gatewayUrl !== undefined && (typeof v.gatewayUrl !== "string" || !URL.canParse(v.gatewayUrl))
  ) {
    return `"gatewayUrl" is not a URL (${shown(v.gatewayUrl)})`;
  }
  if (v.entra !== undefined) {
    const e = v.entra as Record<string, unknown>;
    if (
      typeof e !== "object" || e === null || Array.isArray(e) ||
      !["authority", "clientId", "scope"].every((k) => typeof e[k] === "string")
    ) {
      return '"entra" is not an object with "authority", "clientId" and "scope"';
    }
  }
  return undefined;
}

/**
 * Reads the configuration; `undefined` when there is none.
 *
 * @throws {TokenStoreError} `store_failed` when the file or its folder cannot
 * be read, `store_corrupt` when it does not hold a configuration (the message
 * names the bad key and says how to rewrite it).
 */
export async function loadCliConfig(dir: string): Promise<CliConfig | undefined> {
  const path = configPath(dir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw storeFailure("read", path, err);
  }
  let value: unknown;
  let problem: string | undefined;
  try {
    value = JSON.parse(text);
    problem = configProblem(value);
  } catch {
    problem = "not JSON";
  }
  if (problem !== undefined) {
    throw new TokenStoreError(
      "store_corrupt",
      `Cannot read "${path}": ${problem}; run \`ccgate login --url <gateway>\` to rewrite it`,
    );
  }
  return value as CliConfig;
}

/**
 * Writes the configuration (0600, atomically: a new file renamed into place).
 *
 * @throws {TokenStoreError} `store_failed` when it cannot be written.
 */
export async function saveCliConfig(dir: string, config: CliConfig): Promise<void> {
  const path = configPath(dir);
  const tmp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(tmp, JSON.stringify(config, null, 2) + "\n", {
      createNew: true,
      mode: 0o600,
    });
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw storeFailure("write", path, err);
  }
}
