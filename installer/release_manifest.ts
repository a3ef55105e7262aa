import { InstallerError } from "./errors.ts";

/**
 * Claude Code's release bucket, as its own updater reads it (2.1.197 bundle:
 * `lJa="https://downloads.claude.ai/claude-code-releases"`, then
 * `${base}/${version}/manifest.json`, `manifest.platforms[platform].checksum`
 * (SHA-256, hex), the binary at `${base}/${version}/${platform}/${name}` with
 * `name = platform.startsWith("win32") ? "claude.exe" : "claude"`, and the
 * channels as text files `${base}/latest`, `${base}/stable`). The install
 * script (https://claude.ai/install.sh) uses the same layout.
 */
export const OFFICIAL_RELEASE_BASE_URL = "https://downloads.claude.ai/claude-code-releases";

/** The platforms Claude Code ships (the bundle's `${os}-${arch}[-musl]` names). */
export const CLAUDE_CODE_PLATFORMS = [
  "darwin-arm64",
  "darwin-x64",
  "linux-arm64",
  "linux-x64",
  "linux-arm64-musl",
  "linux-x64-musl",
  "win32-x64",
  "win32-arm64",
] as const;

/** A release's manifest. */
export interface ReleaseManifest {
  /** The release's version. */
  version: string;
  /** Per platform: the binary's SHA-256 (hex) and size. */
  platforms: Record<string, { checksum: string; size?: number }>;
}

/** The binary's file name on a platform. */
export function binaryName(platform: string): string {
  return platform.startsWith("win32") ? "claude.exe" : "claude";
}

/** Whether a string is a release version (`1.2.3`, `1.2.3-beta.1`). */
export function isReleaseVersion(value: string): boolean {
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(value);
}

/** Parses a release manifest; throws `manifest_invalid` naming what is wrong. */
export function parseReleaseManifest(text: string, where: string): ReleaseManifest {
  let value: { version?: unknown; platforms?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    throw new InstallerError(
      "manifest_invalid",
      `Cannot read the release manifest ${where}: not JSON`,
    );
  }
  const platforms = value.platforms;
  if (typeof platforms !== "object" || platforms === null) {
    throw new InstallerError(
      "manifest_invalid",
      `Cannot read the release manifest ${where}: no "platforms"`,
    );
  }
  for (const [name, p] of Object.entries(platforms as Record<string, { checksum?: unknown }>)) {
    if (typeof p?.checksum !== "string" || !/^[0-9a-f]{64}$/i.test(p.checksum)) {
      throw new InstallerError(
        "manifest_invalid",
        `Cannot read the release manifest ${where}: "${name}" has no SHA-256 checksum`,
      );
    }
  }
  return {
    version: typeof value.version === "string" ? value.version : "",
    platforms: platforms as ReleaseManifest["platforms"],
  };
}

/** The platform of this machine, in the release's names. */
export function currentPlatform(os: string, arch: string, musl = false): string {
  const a = arch === "aarch64" || arch === "arm64" ? "arm64" : "x64";
  const o = os === "windows" ? "win32" : os;
  return `${o}-${a}${os === "linux" && musl ? "-musl" : ""}`;
}
