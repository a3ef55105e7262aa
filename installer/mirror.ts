import { sha256Hex } from "./_hash.ts";
import { InstallerError } from "./errors.ts";
import {
  binaryName,
  isReleaseVersion,
  parseReleaseManifest,
  type ReleaseManifest,
} from "./release_manifest.ts";

/** Progress of one download. */
export interface MirrorProgress {
  /** The platform downloading. */
  platform: string;
  /** Bytes on disk so far (including a resumed part). */
  received: number;
  /** Expected size, when known. */
  total?: number;
  /** `start`, `data`, `verified`, `skipped` (already mirrored and verified). */
  phase: "start" | "data" | "verified" | "skipped";
}

/** Options of {@linkcode mirrorClaudeCode}. */
export interface MirrorOptions {
  /** The output folder. */
  out: string;
  /** The release bucket (official, or another mirror). */
  baseUrl: string;
  /** `latest`, `stable` or a version. @default {"stable"} */
  version?: string;
  /** Platforms to mirror. @default every platform of the release manifest */
  platforms?: string[];
  /** `fetch`. */
  fetch: typeof fetch;
  /** Called as bytes arrive. */
  onProgress?: (progress: MirrorProgress) => void;
}

/** What {@linkcode mirrorClaudeCode} did. */
export interface MirrorResult {
  /** The version mirrored. */
  version: string;
  /** Per platform: the file and whether it was downloaded now. */
  files: { platform: string; path: string; downloaded: boolean }[];
}

const trimSlash = (u: string) => u.replace(/\/+$/, "");

/** Most bytes of a channel file or release manifest. */
const MAX_TEXT_BYTES = 1 << 20;

/** Most bytes of a binary whose release manifest gives no size (Claude Code's are ~200 MB). */
export const MAX_BINARY_BYTES = 1 << 30;

/** The error of a body longer than `max` bytes. */
const tooLong = (url: string, max: number) =>
  new InstallerError(
    "checksum_mismatch",
    `Cannot accept ${url}: it is longer than the ${max} bytes the release manifest allows`,
  );

/** Reads a body whole, refusing it past `max` bytes. */
async function readBounded(response: Response, url: string, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body ?? []) {
    length += chunk.length;
    if (length > max) {
      await response.body?.cancel().catch(() => {});
      throw tooLong(url, max);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** GETs `url` and reads its body, at most `max` bytes; any failure is `download_failed`. */
async function get(f: typeof fetch, url: string, max: number): Promise<Uint8Array> {
  try {
    const response = await f(url);
    if (!response.ok) {
      await response.body?.cancel();
      throw new InstallerError(
        "download_failed",
        `Cannot download ${url}: HTTP ${response.status}`,
      );
    }
    return await readBounded(response, url, max);
  } catch (err) {
    if (err instanceof InstallerError) throw err;
    throw new InstallerError(
      "download_failed",
      `Cannot download ${url}: ${(err as Error).message}`,
    );
  }
}

const getText = async (f: typeof fetch, url: string) =>
  new TextDecoder().decode(await get(f, url, MAX_TEXT_BYTES));

/**
 * GETs a file whole (no resume: see {@linkcode downloadVerified} for that),
 * refusing it past `maxBytes` (`checksum_mismatch`).
 */
export const getBytes = (
  f: typeof fetch,
  url: string,
  maxBytes: number = MAX_BINARY_BYTES,
): Promise<Uint8Array> => get(f, url, maxBytes);

/** Resolves `latest`/`stable` to a version through the bucket's channel file. */
export async function resolveVersion(
  f: typeof fetch,
  baseUrl: string,
  version: string,
): Promise<string> {
  if (version !== "latest" && version !== "stable") {
    if (!isReleaseVersion(version)) {
      throw new InstallerError(
        "usage",
        `Cannot mirror version "${version}": use latest, stable or x.y.z`,
      );
    }
    return version;
  }
  const resolved = (await getText(f, `${trimSlash(baseUrl)}/${version}`)).trim();
  if (!isReleaseVersion(resolved)) {
    throw new InstallerError(
      "manifest_invalid",
      `Cannot resolve "${version}": the bucket answered "${resolved.slice(0, 40)}"`,
    );
  }
  return resolved;
}

/** Fetches a version's release manifest (text and parsed). */
export async function fetchReleaseManifest(
  f: typeof fetch,
  baseUrl: string,
  version: string,
): Promise<{ text: string; manifest: ReleaseManifest }> {
  const url = `${trimSlash(baseUrl)}/${version}/manifest.json`;
  const text = await getText(f, url);
  return { text, manifest: parseReleaseManifest(text, url) };
}

/** Runs a file operation; an operating system error becomes `write_failed`, naming the file. */
async function writing<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof InstallerError) throw err;
    throw new InstallerError(
      "write_failed",
      `Cannot write ${path}: ${(err as Error).message.replace(/:? ?\w+ '[^']*'$/, "")}`,
    );
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Downloads one file to `dest`, resuming `dest.part` with an HTTP Range
 * request, then checks its SHA-256: a mismatch deletes it and throws
 * `checksum_mismatch`, as does a body longer than `maxBytes` (the release
 * manifest's size); a cut download keeps the part for the next run and throws
 * `download_failed`; a file that cannot be written is `write_failed`.
 */
export async function downloadVerified(
  f: typeof fetch,
  url: string,
  dest: string,
  checksum: string,
  report: (received: number, total?: number) => void = () => {},
  maxBytes: number = MAX_BINARY_BYTES,
): Promise<void> {
  const part = `${dest}.part`;
  let have = (await fileSize(part)) ?? 0;
  if (have > maxBytes) {
    // Left by a download that ran past the size: start over rather than resume it.
    await Deno.remove(part);
    have = 0;
  }
  const headers: HeadersInit = have > 0 ? { range: `bytes=${have}-` } : {};
  let response: Response;
  try {
    response = await f(url, { headers });
  } catch (err) {
    throw new InstallerError(
      "download_failed",
      `Cannot download ${url}: ${(err as Error).message}`,
    );
  }
  if (response.status === 416 && have > 0) {
    // The part is already whole (or longer): check it as it is.
    await response.body?.cancel();
  } else if (response.ok) {
    if (response.status !== 206) have = 0; // the server ignored the range: start over
    const length = Number(response.headers.get("content-length") ?? NaN);
    const total = Number.isFinite(length) ? have + length : undefined;
    if (total !== undefined && total > maxBytes) {
      await response.body?.cancel();
      throw tooLong(url, maxBytes);
    }
    const file = await writing(
      part,
      () => Deno.open(part, { create: true, write: true, append: have > 0, truncate: have === 0 }),
    );
    let received = have;
    report(received, total);
    try {
      const reader = response.body!.getReader();
      while (true) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (err) {
          throw new InstallerError(
            "download_failed",
            `Cannot download ${url}: cut after ${received} bytes (${
              (err as Error).message
            }); run again to resume`,
          );
        }
        if (next.done) break;
        const chunk = next.value;
        if (received + chunk.length > maxBytes) {
          await reader.cancel().catch(() => {});
          file.close();
          await Deno.remove(part).catch(() => {});
          throw tooLong(url, maxBytes);
        }
        await writing(part, async () => {
          let written = 0;
          while (written < chunk.length) written += await file.write(chunk.subarray(written));
        });
        received += chunk.length;
        report(received, total);
      }
    } finally {
      try {
        file.close();
      } catch {
        // closed above, before the part was deleted
      }
    }
    if (total !== undefined && received < total) {
      throw new InstallerError(
        "download_failed",
        `Cannot download ${url}: cut after ${received} of ${total} bytes; run again to resume`,
      );
    }
  } else {
    await response.body?.cancel();
    throw new InstallerError("download_failed", `Cannot download ${url}: HTTP ${response.status}`);
  }
  const actual = await sha256Hex(await Deno.readFile(part));
  if (actual !== checksum.toLowerCase()) {
    await Deno.remove(part);
    throw new InstallerError(
      "checksum_mismatch",
      `Cannot accept ${url}: SHA-256 ${actual} does not match the release manifest's ${checksum} (file deleted)`,
    );
  }
  await writing(dest, async () => {
    if (Deno.build.os !== "windows") await Deno.chmod(part, 0o755);
    await Deno.rename(part, dest);
  });
}

/**
 * `ccgate mirror`: mirrors Claude Code release binaries into
 * `out/<version>/<platform>/claude[.exe]` with `out/<version>/manifest.json`
 * and the channel file (`out/stable` or `out/latest`), the same layout as the
 * release bucket, so `out` can be served as a bucket. Every file is checked
 * against the manifest's SHA-256; a file already mirrored and verified is
 * skipped; an interrupted download resumes.
 */
export async function mirrorClaudeCode(options: MirrorOptions): Promise<MirrorResult> {
  const f = options.fetch;
  const channel = options.version ?? "stable";
  const version = await resolveVersion(f, options.baseUrl, channel);
  const { text, manifest } = await fetchReleaseManifest(f, options.baseUrl, version);
  const platforms = options.platforms?.length ? options.platforms : Object.keys(manifest.platforms);
  for (const p of platforms) {
    if (!manifest.platforms[p]) {
      throw new InstallerError(
        "usage",
        `Cannot mirror "${p}": release ${version} ships ${
          Object.keys(manifest.platforms).sort().join(", ")
        }`,
      );
    }
  }
  const versionDir = `${options.out}/${version}`;
  await writing(versionDir, () => Deno.mkdir(versionDir, { recursive: true }));
  const files: MirrorResult["files"] = [];
  for (const platform of platforms) {
    const entry = manifest.platforms[platform]!;
    const dir = `${versionDir}/${platform}`;
    await writing(dir, () => Deno.mkdir(dir, { recursive: true }));
    const name = binaryName(platform);
    const dest = `${dir}/${name}`;
    if (
      (await fileSize(dest)) !== undefined &&
      await sha256Hex(await Deno.readFile(dest)) === entry.checksum.toLowerCase()
    ) {
      options.onProgress?.({
        platform,
        received: entry.size ?? 0,
        total: entry.size,
        phase: "skipped",
      });
      files.push({ platform, path: dest, downloaded: false });
      continue;
    }
    options.onProgress?.({ platform, received: 0, total: entry.size, phase: "start" });
    await downloadVerified(
      f,
      `${trimSlash(options.baseUrl)}/${version}/${platform}/${name}`,
      dest,
      entry.checksum,
      (received, total) =>
        options.onProgress?.({ platform, received, total: total ?? entry.size, phase: "data" }),
      entry.size ?? MAX_BINARY_BYTES,
    );
    options.onProgress?.({
      platform,
      received: entry.size ?? 0,
      total: entry.size,
      phase: "verified",
    });
    files.push({ platform, path: dest, downloaded: true });
  }
  await writing(
    `${versionDir}/manifest.json`,
    () => Deno.writeTextFile(`${versionDir}/manifest.json`, text),
  );
  if (channel === "latest" || channel === "stable") {
    await writing(
      `${options.out}/${channel}`,
      () => Deno.writeTextFile(`${options.out}/${channel}`, version + "\n"),
    );
  }
  return { version, files };
}
