/**
 * The settings of the server entry points themselves (`main.ts`, and the
 * separately deployed `gateway/main.ts` and `auth/main.ts`): where to listen
 * and where the KV store is. The apps' own settings are in
 * `gateway/config.ts` and `auth/config.ts`.
 *
 * @module
 */
import { z } from "zod";
import { ConfigError } from "./gateway/errors.ts";

const port = z.string().regex(/^\d+$/, "must be a port number").transform(Number).pipe(
  z.number().int().max(65_535, "must be a port number"),
);

/** The server entry points' environment variables, each documented in its `.meta()`. */
export const serverEnvSchema = z.object({
  PORT: port.optional().transform((v) => v ?? 8080).meta({
    description: "TCP port to listen on. `0` picks a free port (the banner prints it).",
    accepts: "port number, `0` to `65535`",
    example: "8443",
  }),
  HOSTNAME: z.string().trim().min(1).optional().meta({
    description:
      "Address to listen on. Unset, production (`CCGATE_ENV=production`, Deno Deploy, the Dockerfile) listens on every interface and development on the loopback interface only; `auth/main.ts` listens on every interface in both.",
    accepts: "host name or IP address",
    defaultText: "`127.0.0.1`; `0.0.0.0` in production",
    example: "0.0.0.0",
  }),
  CCGATE_KV_PATH: z.string().trim().min(1).optional().meta({
    description:
      "Where Deno KV keeps sessions, refresh tokens, revocations, signing keys and usage: a file path, `:memory:` (tests), or a KV Connect URL shared by several self-hosted instances (with `DENO_KV_ACCESS_TOKEN`). On Deno Deploy leave it unset: the app's own KV is used. `gateway/main.ts` alone keeps its usage ledger, admin audit log, budget overrides and policy counters there (share one KV among gateway instances).",
    accepts: "file path, `:memory:`, or a KV Connect `http(s)` URL",
    defaultText:
      "`.ccgate/kv.sqlite3` (`main.ts`), `.ccgate/auth.kv` (`auth/main.ts`), `.ccgate/gateway-kv.sqlite3` (`gateway/main.ts`); the app's KV on Deno Deploy",
    example: "https://kv.internal.example.com",
  }),
  ENTRA_EMULATOR_PORT: port.optional().meta({
    description:
      "Development only: port of the local Entra ID emulator that `auth/main.ts` starts when `ENTRA_TENANT_ID` is unset.",
    accepts: "port number",
    defaultText: "a free port",
    example: "8081",
  }),
});

/** The validated server settings. */
export interface ServerEnv {
  /** Port to listen on. */
  port: number;
  /** Address to listen on, when set. */
  hostname?: string;
  /** KV path or URL, when set. */
  kvPath?: string;
  /** Port of the local Entra ID emulator, when set. */
  entraEmulatorPort?: number;
}

/**
 * Validates the server entry points' environment.
 *
 * @param env Environment variables (for example `Deno.env.toObject()`).
 * @returns The typed settings.
 * @throws {ConfigError} Naming the bad setting: `Invalid setting PORT: must be a port number`.
 */
export function loadServerEnv(env: Record<string, string | undefined>): ServerEnv {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(serverEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = serverEnvSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`Invalid setting ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    hostname: e.HOSTNAME,
    kvPath: e.CCGATE_KV_PATH,
    entraEmulatorPort: e.ENTRA_EMULATOR_PORT,
  };
}
