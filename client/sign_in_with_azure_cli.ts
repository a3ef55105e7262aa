import { type CommandRunner, denoCommandRunner } from "./command_runner.ts";
import { SignInError } from "./errors.ts";
import type { EntraToken } from "./entra_token.ts";

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/** Options of {@linkcode signInWithAzureCli}. */
export interface AzureCliSignInOptions {
  /**
   * The Entra tenant to get the token from (`az ... --tenant`).
   * @default {undefined} (the Azure CLI's current tenant)
   */
  tenant?: string;
  /**
   * Runs `az` (tests pass a recording runner).
   * @default {denoCommandRunner}
   */
  runner?: CommandRunner;
  /**
   * The operating system, which decides the program name (`az.cmd` on Windows).
   * @default {Deno.build.os}
   */
  os?: typeof Deno.build.os;
}

/**
 * Reuses the Azure CLI's sign-in: `az account get-access-token --scope <scope>`.
 * The Azure CLI's client id must be allowed by the ccgate auth service
 * (`ENTRA_ALLOWED_CLIENT_IDS`) and pre-authorised on the ccgate API.
 *
 * @param scope The ccgate API scope, e.g. `api://<api client id>/access_as_user`
 * (OpenID scopes such as `offline_access` are dropped: the Azure CLI manages its own).
 * @param options Tenant and command runner.
 * @returns An Entra access token for the ccgate API.
 * @throws {SignInError} `azure_cli_unavailable` when `az` is missing, not signed
 * in, or refuses; `sign_in_failed` when its output is not a token.
 *
 * @example Reuse an Azure CLI sign-in (with a recording runner, runnable anywhere)
 * ```ts
 * import { signInWithAzureCli } from "@ccgate/client";
 *
 * const token = await signInWithAzureCli("api://ccgate/access_as_user", {
 *   runner: () =>
 *     Promise.resolve({
 *       code: 0,
 *       stdout: JSON.stringify({ accessToken: "eyJ...", expires_on: 1893456000 }),
 *       stderr: "",
 *     }),
 * });
 * console.log(token.expiresAt?.toISOString()); // "2030-01-01T00:00:00.000Z"
 * ```
 */
export async function signInWithAzureCli(
  scope: string,
  options: AzureCliSignInOptions = {},
): Promise<EntraToken> {
  const runner = options.runner ?? denoCommandRunner;
  const program = (options.os ?? Deno.build.os) === "windows" ? "az.cmd" : "az";
  // The Azure CLI manages its own refresh token and ID token: ask only for the API scope(s).
  const scopes = scope.split(/\s+/).filter((s) => s !== "" && !OIDC_SCOPES.has(s));
  const args = ["account", "get-access-token", "--scope", ...scopes, "--output", "json"];
  if (options.tenant) args.push("--tenant", options.tenant);
  let out;
  try {
    out = await runner(program, args);
  } catch (err) {
    throw new SignInError(
      "azure_cli_unavailable",
      "Cannot use the Azure CLI: az is not installed",
      { cause: err },
    );
  }
  if (out.code !== 0) {
    const line = out.stderr.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? "";
    throw new SignInError(
      "azure_cli_unavailable",
      `Cannot use the Azure CLI${line ? `: ${line.replace(/^ERROR:\s*/, "")}` : ""}`,
    );
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(out.stdout);
  } catch (err) {
    throw new SignInError("sign_in_failed", "The Azure CLI did not print JSON", { cause: err });
  }
  if (typeof body.accessToken !== "string" || body.accessToken === "") {
    throw new SignInError("sign_in_failed", 'The Azure CLI printed no "accessToken"');
  }
  const expiresOn = typeof body.expires_on === "number"
    ? new Date(body.expires_on * 1000)
    : typeof body.expires_on === "string" && /^\d+$/.test(body.expires_on)
    ? new Date(Number(body.expires_on) * 1000)
    : undefined;
  return { accessToken: body.accessToken, expiresAt: expiresOn };
}
