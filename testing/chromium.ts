/**
 * Headless Chromium for browser tests: Debian's `chromium` (installed by
 * `tools/ensure_test_tools.ts`) driven by `playwright-core`, with a new empty
 * profile each time.
 *
 * @module
 */
import { type BrowserContext, chromium } from "playwright-core";

/** Where Chromium is expected (`CHROMIUM_PATH` overrides). */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Flags for a quiet, sandbox-free headless run in CI containers. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts headless Chromium with a new empty user data dir; disposing it
 * closes the browser and removes the profile.
 *
 * @throws {Error} When Chromium is not installed: a browser test must fail, not skip.
 */
export async function launchChromium(): Promise<BrowserContext & AsyncDisposable> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Cannot run the browser tests: Chromium is not installed at "${CHROMIUM_PATH}". ` +
        "Run `deno task test` (tools/ensure_test_tools.ts installs it), or `apt-get install -y chromium`, or set CHROMIUM_PATH.",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "ccgate-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  return Object.assign(context, {
    [Symbol.asyncDispose]: async () => {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  });
}
