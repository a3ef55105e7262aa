import { sha256Hex } from "./_hash.ts";
import { InstallerError } from "./errors.ts";
import { fetchReleaseManifest, getBytes, resolveVersion } from "./mirror.ts";
import { binaryName } from "./release_manifest.ts";

/** Options of {@linkcode fetchClaudeCode}. */
export interface FetchClaudeCodeOptions {
  /** The mirror (a ccgate server's `/install`, or any bucket). */
  baseUrl: string;
  /** `stable`, `latest` or a version. @default {"stable"} */
  version?: string;
  /** This machine's platform, e.g. `linux-x64`. */
  platform: string;
  /** `fetch`. */
  fetch: typeof fetch;
}

/**
 * Downloads Claude Code for this platform from a mirror and checks it
 * against the release manifest's SHA-256 before anything is written.
 *
 * @throws {InstallerError} `checksum_mismatch`, `download_failed`, `manifest_invalid`, `usage`.
 */
export async function fetchClaudeCode(
  options: FetchClaudeCodeOptions,
): Promise<{ version: string; bytes: Uint8Array }> {
  const base = options.baseUrl.replace(/\/+$/, "");
  const version = await resolveVersion(options.fetch, base, options.version ?? "stable");
  const { manifest } = await fetchReleaseManifest(options.fetch, base, version);
  const entry = manifest.platforms[options.platform];
  if (!entry) {
    throw new InstallerError(
      "usage",
      `Cannot install Claude Code ${version}: the mirror has no "${options.platform}" (it has ${
        Object.keys(manifest.platforms).sort().join(", ")
      })`,
    );
  }
  const url = `${base}/${version}/${options.platform}/${binaryName(options.platform)}`;
  const bytes = await getBytes(options.fetch, url, entry.size);
  const actual = await sha256Hex(bytes);
  if (actual !== entry.checksum.toLowerCase()) {
    throw new InstallerError(
      "checksum_mismatch",
      `Cannot install ${url}: SHA-256 ${actual} does not match the release manifest's ${entry.checksum}`,
    );
  }
  return { version, bytes };
}
