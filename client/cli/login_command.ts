import { type CcgateMetadata, discover, type EntraSignInConfig } from "../discover.ts";
import type { EntraToken } from "../entra_token.ts";
import { CcgateError, TokenRequestError, TokenStoreError } from "../errors.ts";
import { exchangeToken } from "../exchange_token.ts";
import { revoke } from "../revoke.ts";
import { signInWithAzureCli } from "../sign_in_with_azure_cli.ts";
import { signInWithBrowser } from "../sign_in_with_browser.ts";
import { type DeviceCodePrompt, signInWithDeviceCode } from "../sign_in_with_device_code.ts";
import type { TokenResponse } from "../token_response.ts";
import { TokenSession } from "../token_session.ts";
import type { StoredSession } from "../token_store.ts";
import {
  type CliConfig,
  loadCliConfig,
  saveCliConfig,
  STORE_KINDS,
  type StoreKind,
} from "./cli_config.ts";
import type { CliDeps } from "./cli_deps.ts";
import { configDir } from "./config_dir.ts";
import { EXIT, UnavailableError, UsageError } from "./exit_codes.ts";
import { gatewayUrl } from "./gateway_url.ts";
import { logoutOf, type StoreLogout } from "./logout_of.ts";
import { checkStore, detectStore, openLock, openStore } from "./open_store.ts";
import type { Style } from "./style.ts";

/** Options of `ccgate login`. */
export interface LoginCommandOptions {
  /** Sign in with a device code (no browser on this machine). */
  deviceCode?: boolean;
  /** Sign in in the browser (authorization code + PKCE, loopback redirect). */
  browser?: boolean;
  /** Reuse the Azure CLI's sign-in. */
  azureCli?: boolean;
  /** The ccgate URL. */
  url?: string;
  /** Where to keep the session. */
  store?: string;
  /** Entra authority override. */
  authority?: string;
  /** Entra client id override. */
  clientId?: string;
  /** Entra scope override. */
  scope?: string;
  /** Browser sign-in timeout, in seconds. */
  timeout?: string;
  /** Print the result as JSON. */
  json?: boolean;
  /**
   * The metadata of `url`, already read (by `ccgate install`; not a flag):
   * not asked again.
   */
  metadata?: CcgateMetadata;
}

/** Which sign-in to use when none is asked for: the browser where there is a desktop. */
function defaultMethod(deps: CliDeps): "browser" | "device-code" {
  if (deps.env("SSH_CONNECTION") || deps.env("SSH_TTY")) return "device-code";
  if (deps.os === "linux" && !deps.env("DISPLAY") && !deps.env("WAYLAND_DISPLAY")) {
    return "device-code";
  }
  return "browser";
}

/** Opens a URL with the OS's opener. */
async function openWithOs(url: URL, deps: CliDeps): Promise<void> {
  const [command, args] = deps.os === "darwin"
    ? ["open", [url.href]]
    : deps.os === "windows"
    ? ["rundll32", ["url.dll,FileProtocolHandler", url.href]]
    : ["xdg-open", [url.href]];
  await deps.runner(command as string, args as string[]);
}

function tenantOf(authority: string): string | undefined {
  return new URL(authority).pathname.split("/").filter(Boolean)[0];
}

/** Displays a JWT's claims, unverified: only for the greeting. */
function displayName(jwt: string): string {
  try {
    const part = jwt.split(".")[1] ?? "";
    const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
    const parts = [claims.name, claims.email && `<${claims.email}>`].filter(Boolean);
    return parts.length > 0 ? parts.join(" ") : String(claims.sub ?? "unknown user");
  } catch {
    return "unknown user";
  }
}

interface Progress {
  start(text: string): void;
  tick(): void;
  stop(text: string): void;
}

async function progress(deps: CliDeps, color: boolean): Promise<Progress> {
  if (deps.isTerminal && color) {
    const [{ spinner }, { default: process }] = await Promise.all([
      import("@clack/prompts"),
      import("node:process"),
    ]);
    const s = spinner({ output: process.stderr });
    return { start: (t) => s.start(t), tick: () => {}, stop: (t) => s.stop(t) };
  }
  return {
    start: (t) => deps.stderr(`${t}...\n`),
    tick: () => {},
    stop: (t) => deps.stderr(`${t}\n`),
  };
}

/**
 * Revokes a new session that could not be stored, and returns `err` saying so.
 */
async function endUnstoredSession(
  err: unknown,
  tokens: TokenResponse,
  revocationEndpoint: string | undefined,
  deps: CliDeps,
): Promise<unknown> {
  let outcome = "the new session was ended on the server; sign in again once this is fixed";
  try {
    if (revocationEndpoint === undefined) throw new Error("no revocation endpoint");
    await revoke(revocationEndpoint, tokens.refreshToken ?? tokens.accessToken, {
      tokenTypeHint: tokens.refreshToken ? "refresh_token" : "access_token",
      fetch: deps.fetch,
    });
  } catch {
    outcome = "the new session could not be ended on the server (it ends when it expires)";
  }
  if (!(err instanceof TokenStoreError)) return err;
  return new TokenStoreError(err.code, `${err.message}; ${outcome}`, { cause: err });
}

/**
 * Ends the session kept in the store a login moved away from (`--store`
 * changed): revoked at the auth service, best effort as `logout` does, then
 * forgotten; left alone, its refresh token would stay valid with nobody
 * holding it. Returns what to tell the user ("" when there was none).
 */
async function endPreviousSession(
  kind: StoreKind,
  dir: string,
  deps: CliDeps,
  style: Style,
): Promise<string> {
  let result: StoreLogout;
  try {
    result = await logoutOf(kind, dir, deps);
  } catch (err) {
    if (!(err instanceof CcgateError)) throw err;
    return `${
      style.yellow("The previous session")
    } (${kind}) could not be ended: ${err.message}; it ends when it expires.\n`;
  }
  if (!result.hadSession) return "";
  const previous = `${style.yellow("The previous session")} in "${result.location}"`;
  if (result.unreadable) {
    return `${previous} could not be read, so it was deleted; it could not be revoked (it ends when it expires).\n`;
  }
  if (!result.revoked) {
    return `${previous} was deleted, but it could not be revoked (it ends when it expires): ${
      result.error?.message ?? "unknown error"
    }\n`;
  }
  return `The previous session in "${result.location}" is revoked and deleted.\n`;
}

/**
 * The gateway of a new session: the one its metadata names (the URL given,
 * when it is a gateway's), else the one kept from the previous sign-in to the
 * same auth service (an auth service that publishes none), else none (the
 * ccgate URL serves both).
 */
function gatewayOf(metadata: CcgateMetadata, previous: CliConfig | undefined): string | undefined {
  if (metadata.gatewayUrl !== undefined) return metadata.gatewayUrl.replace(/\/+$/, "");
  const issuer = metadata.issuer.replace(/\/+$/, "");
  return previous?.url.replace(/\/+$/, "") === issuer ? previous.gatewayUrl : undefined;
}

/**
 * `ccgate login`: signs in to Entra ID (browser + PKCE, device code, or the
 * Azure CLI), exchanges the Entra token for a ccgate session, keeps it in the
 * OS keychain (else a 0600 file) and prints who is signed in. The URL may be
 * the auth service's or the gateway's (`discover`); `config.json` keeps the
 * auth service's as `url` and the gateway's as `gatewayUrl`.
 */
export async function loginCommand(
  options: LoginCommandOptions,
  deps: CliDeps,
  style: Style,
  color: boolean,
): Promise<number> {
  const dir = configDir(deps);
  const previous = await loadCliConfig(dir).catch(() => undefined);
  const given = options.url ?? deps.env("CCGATE_URL") ?? previous?.url;
  if (!given) throw new UsageError("Cannot sign in: no ccgate URL; pass --url <url>");
  const url = gatewayUrl(given, "Cannot sign in");
  const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0 && timeoutSeconds <= 3600)) {
    throw new UsageError(
      `Invalid --timeout "${options.timeout}": seconds to wait for the browser, 1 to 3600`,
    );
  }
  const storeOption = options.store ?? deps.env("CCGATE_STORE");
  if (storeOption && storeOption !== "auto" && !STORE_KINDS.includes(storeOption as StoreKind)) {
    throw new UsageError(
      `Cannot sign in: unknown store "${storeOption}" (use auto, ${STORE_KINDS.join(", ")})`,
    );
  }

  const storeKind = !storeOption || storeOption === "auto"
    ? await detectStore(deps.os, deps.runner)
    : storeOption as StoreKind;
  // Before the user signs in: a session that cannot be stored would stay live on the server.
  await checkStore(storeKind, dir, deps.runner);

  const metadata = options.metadata ?? await discover(url, { fetch: deps.fetch }).catch((err) => {
    if (err instanceof TokenRequestError && err.code === "response_invalid") {
      throw new UnavailableError(`Cannot sign in: ${err.message}; check the ccgate URL`, {
        cause: err,
      });
    }
    throw err;
  });
  const fromFlags = {
    authority: options.authority ?? deps.env("CCGATE_ENTRA_AUTHORITY"),
    clientId: options.clientId ?? deps.env("CCGATE_ENTRA_CLIENT_ID"),
    scope: options.scope ?? deps.env("CCGATE_ENTRA_SCOPE"),
  };
  const base = metadata.entra ?? previous?.entra;
  const entra: Partial<EntraSignInConfig> = {
    authority: fromFlags.authority ?? base?.authority,
    clientId: fromFlags.clientId ?? base?.clientId,
    scope: fromFlags.scope ?? base?.scope,
  };
  if (!entra.authority || !entra.clientId || !entra.scope) {
    throw new UsageError(
      "Cannot sign in: ccgate does not publish its Entra ID settings; pass --authority, --client-id and --scope",
    );
  }
  const config = entra as EntraSignInConfig;

  const method = options.deviceCode
    ? "device-code"
    : options.browser
    ? "browser"
    : options.azureCli
    ? "azure-cli"
    : defaultMethod(deps);
  const bar = await progress(deps, color);
  let entraToken: EntraToken;
  if (method === "device-code") {
    entraToken = await signInWithDeviceCode(config, {
      onPrompt: (p: DeviceCodePrompt) => {
        deps.stderr(
          `To sign in, open ${style.bold(p.verificationUri)} and enter the code ${
            style.bold(p.userCode)
          }\n`,
        );
        bar.start("Waiting for you to sign in");
      },
      onPoll: () => bar.tick(),
      deps: { fetch: deps.fetch, sleep: deps.sleep, now: deps.now },
    }).catch((err) => {
      bar.stop("Sign-in did not complete");
      throw err;
    });
    bar.stop("Signed in to Entra ID");
  } else if (method === "browser") {
    const open = deps.openBrowser ?? ((u: URL) => openWithOs(u, deps));
    entraToken = await signInWithBrowser(config, {
      openBrowser: async (u) => {
        deps.stderr(`Opening your browser to sign in. If it does not open, visit:\n${u.href}\n`);
        bar.start("Waiting for the browser");
        await open(u);
      },
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      deps: { fetch: deps.fetch, now: deps.now },
    }).catch((err) => {
      bar.stop("Sign-in did not complete");
      throw err;
    });
    bar.stop("Signed in to Entra ID");
  } else {
    entraToken = await signInWithAzureCli(config.scope, {
      tenant: tenantOf(config.authority),
      runner: deps.runner,
      os: deps.os,
    });
  }

  const tokens = await exchangeToken(metadata.tokenEndpoint, entraToken.accessToken, {
    fetch: deps.fetch,
  });
  const store = openStore(storeKind, dir, deps.runner);
  const session = new TokenSession(store, {
    lock: openLock(dir),
    deps: { now: deps.now, fetch: deps.fetch },
  });
  let stored: StoredSession | undefined;
  try {
    stored = await session.start({
      issuer: metadata.issuer,
      tokenEndpoint: metadata.tokenEndpoint,
      revocationEndpoint: metadata.revocationEndpoint,
    }, tokens);
    await saveCliConfig(dir, {
      // The auth service (a gateway's URL leads to it); the gateway apart, when it is one.
      url: metadata.issuer.replace(/\/+$/, ""),
      store: storeKind,
      gatewayUrl: gatewayOf(metadata, previous),
      entra: fromFlags.authority || fromFlags.clientId || fromFlags.scope ? config : undefined,
    });
  } catch (err) {
    // Without it stored, nobody could end the new session: end it now.
    if (stored !== undefined) await store.clear().catch(() => {});
    throw await endUnstoredSession(err, tokens, metadata.revocationEndpoint, deps);
  }
  // Only now that the new session is kept: the old one is what a failed login leaves in use.
  if (previous && previous.store !== storeKind) {
    deps.stderr(await endPreviousSession(previous.store, dir, deps, style));
  }
  const who = displayName(stored.accessToken);
  if (options.json) {
    deps.stdout(
      JSON.stringify({
        url,
        user: who,
        method,
        store: storeKind,
        expiresAt: new Date(stored.expiresAt),
      }) +
        "\n",
    );
  } else {
    deps.stdout(`${style.green("Signed in")} to ${style.bold(url)} as ${style.bold(who)}\n`);
  }
  return EXIT.ok;
}
