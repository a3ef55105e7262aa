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

/**
 * A platform name a release may list: lowercase letters and digits in
 * dash-separated parts (`linux-x64-musl`), as a path segment can safely be.
 * A release may add platforms `CLAUDE_CODE_PLATFORMS` does not know yet.
 */
const PLATFORM_NAME = /^[a-z0-9]{1,32}(?:-[a-z0-9]{1,32}){0,3}$/;

/**
 * Parses a release manifest; throws `manifest_invalid` naming what is wrong.
 * Every platform name must be a safe path segment (it becomes a folder of the
 * mirror), every checksum a SHA-256, every size a whole number of bytes.
 */
export function parseReleaseManifest(text: string, where: string): ReleaseManifest {
  const invalid = (what: string) =>
    new InstallerError("manifest_invalid", `Cannot read the release manifest ${where}: ${what}`);
  let value: { version?: unknown; platforms?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("not JSON");
  }
  const listed = value?.platforms;
  if (typeof listed !== "object" || listed === null || Array.isArray(listed)) {
    throw invalid('no "platforms"');
  }
  const platforms: ReleaseManifest["platforms"] = Object.create(null);
  for (const [name, p] of Object.entries(listed as Record<string, unknown>)) {
    if (!PLATFORM_NAME.test(name)) {
      throw invalid(`${JSON.stringify(name.slice(0, 80))} is not a platform name`);
    }
    const { checksum, size } = (p ?? {}) as { checksum?: unknown; size?: unknown };
    if (typeof checksum !== "string" || !/^[0-9a-f]{64}$/i.test(checksum)) {
      throw invalid(`"${name}" has no SHA-256 checksum`);
    }
    if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) {
      throw invalid(`"${name}" has a size that is not a whole number of bytes`);
    }
    platforms[name] = size === undefined ? { checksum } : { checksum, size: size as number };
  }
  return { version: typeof value.version === "string" ? value.version : "", platforms };
}

/** The platform of this machine, in the release's names. */
export function currentPlatform(os: string, arch: string, musl = false): string {
  const a = arch === "aarch64" || arch === "arm64" ? "arm64" : "x64";
  const o = os === "windows" ? "win32" : os;
  return `${o}-${a}${os === "linux" && musl ? "-musl" : ""}`;
}
