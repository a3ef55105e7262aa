/**
 * Test helper: ccgate as several instances sharing one KV, as a company
 * runs it (many Deploy isolates over Deploy's KV; self-hosted instances on
 * one KV Connect URL). Here: `auth/main.ts` and `gateway/main.ts` as real
 * processes opening one Deno KV file (`CCGATE_KV_PATH`), every auth
 * instance trusting one Entra ID emulator and every gateway calling one
 * Bedrock emulator (both in the test's process, so tests script them).
 *
 * @module
 */
import {
  type BedrockEmulator,
  type EntraEmulator,
  type EntraUser,
  startBedrockEmulator,
  startEntraEmulator,
} from "@ccgate/emulators";
import { type EntryProcess, freePort, startEntry } from "./entry_process.ts";

/** One running instance. */
export interface Instance {
  /** Its URL. */
  url: string;
  /** Its process. */
  process: EntryProcess;
}

/** Options of {@linkcode startMultiInstanceStack}. */
export interface MultiInstanceStackOptions {
  /** How many `auth/main.ts` processes. @default {1} */
  auths?: number;
  /** How many `gateway/main.ts` processes. @default {2} */
  gateways?: number;
  /** A policy file's text (YAML), written to a temporary file and given as `CCGATE_POLICY`. */
  policy?: string;
  /** Settings added to every auth instance. */
  authEnv?: Record<string, string>;
  /** Settings added to every gateway instance. */
  gatewayEnv?: Record<string, string>;
}

/** What {@linkcode startMultiInstanceStack} started. */
export interface MultiInstanceStack extends AsyncDisposable {
  /** The KV file every instance opens. */
  kvPath: string;
  /** The auth instances; the first one's URL is every instance's `CCGATE_ISSUER`. */
  auths: Instance[];
  /** The gateway instances. */
  gateways: Instance[];
  /** The Entra ID emulator the auth instances trust. */
  entra: EntraEmulator;
  /** The Bedrock emulator every gateway calls. */
  bedrock: BedrockEmulator;
  /** Starts one more gateway on the same KV (for a restart after a crash). */
  startGateway(env?: Record<string, string>): Promise<Instance>;
  /** Signs in at an auth instance (token exchange): the access and refresh tokens. */
  signIn(
    user?: Partial<EntraUser>,
    auth?: Instance,
  ): Promise<{ accessToken: string; refreshToken: string }>;
}

/**
 * Starts the emulators, then the auth instances (one after another: the
 * first creates the signing keys), then the gateways, all on one KV file in
 * a temporary folder, removed on dispose.
 *
 * @param options How many of each, the policy, extra settings.
 * @returns The stack.
 */
export async function startMultiInstanceStack(
  options: MultiInstanceStackOptions = {},
): Promise<MultiInstanceStack> {
  const dir = await Deno.makeTempDir({ prefix: "ccgate-multi-" });
  const kvPath = `${dir}/kv.sqlite3`;
  const disposers: (() => Promise<void>)[] = [() => Deno.remove(dir, { recursive: true })];
  const dispose = async () => {
    for (const d of disposers.reverse()) await d().catch(() => {});
  };
  try {
    const entra = await startEntraEmulator({ log: () => {} });
    disposers.push(() => entra.close());
    const bedrock = await startBedrockEmulator();
    disposers.push(() => bedrock.close());
    let policyEnv: Record<string, string> = {};
    if (options.policy !== undefined) {
      await Deno.writeTextFile(`${dir}/policy.yaml`, options.policy);
      policyEnv = { CCGATE_POLICY: `${dir}/policy.yaml` };
    }
    const authPorts = Array.from({ length: options.auths ?? 1 }, () => freePort());
    const issuer = `http://127.0.0.1:${authPorts[0]}`;
    const start = async (entry: string, port: number, env: Record<string, string>) => {
      const process = await startEntry(entry, {
        PORT: String(port),
        CCGATE_KV_PATH: kvPath,
        CCGATE_ISSUER: issuer,
        ...env,
      }, /listening on/);
      disposers.push(() => process.stop("SIGKILL"));
      return { url: `http://127.0.0.1:${port}`, process };
    };
    const auths: Instance[] = [];
    for (const port of authPorts) {
      auths.push(await start("auth/main.ts", port, { ...entra.env, ...options.authEnv }));
    }
    const startGateway = (env: Record<string, string> = {}) =>
      start("gateway/main.ts", freePort(), {
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
        AWS_ACCESS_KEY_ID: "AKIDEMULATOR",
        AWS_SECRET_ACCESS_KEY: "emulator-secret",
        ...policyEnv,
        ...options.gatewayEnv,
        ...env,
      });
    const gateways = await Promise.all(
      Array.from({ length: options.gateways ?? 2 }, () => startGateway()),
    );
    return {
      kvPath,
      auths,
      gateways,
      entra,
      bedrock,
      startGateway,
      async signIn(user, auth = auths[0]!) {
        const response = await fetch(`${auth.url}/oauth/token`, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
            subject_token: await entra.mintAccessToken({ user }),
            subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
            client_id: entra.cliClientId,
          }),
        });
        const body = await response.json();
        if (response.status !== 200) {
          throw new Error(`Cannot sign in: ${response.status} ${JSON.stringify(body)}`);
        }
        return { accessToken: body.access_token, refreshToken: body.refresh_token };
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
