import type { Context } from "hono";
import { RouteNotFoundError } from "./errors.ts";

/** The URL prefix the mirror is served under. */
export const INSTALL_PREFIX = "/install/";

const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  sh: "text/x-shellscript",
  txt: "text/plain; charset=utf-8",
};

/**
 * The safe relative path of a request under `/install/`, or `undefined`:
 * every segment percent-decoded once and refused when empty, `.`, `..`, or
 * holding a slash, backslash, colon or NUL (so neither `..%2f` nor
 * `%5c..` nor `C:` can leave the folder). Pure.
 */
export function mirrorPath(requestPath: string): string | undefined {
  if (!requestPath.startsWith(INSTALL_PREFIX)) return undefined;
  const rest = requestPath.slice(INSTALL_PREFIX.length);
  if (rest === "") return undefined;
  const segments: string[] = [];
  for (const raw of rest.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "" || segment === "." || segment === ".." || /[\\/:\0]/.test(segment)) {
      return undefined;
    }
    segments.push(segment);
  }
  return segments.join("/");
}

/**
 * `GET`/`HEAD /install/*`: serves a `ccgate mirror` folder read-only, laid
 * out like Claude Code's release bucket (`stable`, `latest`,
 * `<version>/manifest.json`, `<version>/<platform>/claude[.exe]`), so
 * `ccgate install --with-claude-code` (and Claude Code's own updater
 * pointed here) can install from it. No sign-in needed: these are public
 * release files, and install runs before login. Paths that try to leave the
 * folder (`..`, encoded separators, symlinks out of it) are 404s, like any
 * missing file; `Range: bytes=N-` resumes a download (206).
 *
 * @param dir The mirror folder (`CCGATE_INSTALL_DIR`).
 */
export function installRoute(dir: string) {
  let root: Promise<string> | undefined;
  return async function install(c: Context): Promise<Response> {
    const notFound = () => new RouteNotFoundError(c.req.method, c.req.path);
    const rel = mirrorPath(c.req.path);
    if (rel === undefined) throw notFound();
    root ??= Deno.realPath(dir);
    let real: string;
    let info: Deno.FileInfo;
    try {
      const base = await root;
      real = await Deno.realPath(`${base}/${rel}`);
      if (!real.startsWith(base + "/")) throw notFound();
      info = await Deno.stat(real);
    } catch (err) {
      if (err instanceof RouteNotFoundError) throw err;
      throw notFound();
    }
    if (!info.isFile) throw notFound();
    const ext = rel.includes(".") ? rel.slice(rel.lastIndexOf(".") + 1) : "";
    const headers = new Headers({
      "content-type": CONTENT_TYPES[ext] ??
        (/^(stable|latest)$/.test(rel) ? "text/plain; charset=utf-8" : "application/octet-stream"),
      "accept-ranges": "bytes",
      "x-content-type-options": "nosniff",
      "cache-control": /^(stable|latest)$/.test(rel) ? "no-cache" : "public, max-age=300",
    });
    const size = info.size;
    let start = 0;
    let status = 200;
    const range = c.req.header("range");
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= size) {
        headers.set("content-range", `bytes */${size}`);
        return new Response(null, { status: 416, headers });
      }
      status = 206;
      headers.set("content-range", `bytes ${start}-${size - 1}/${size}`);
    }
    headers.set("content-length", String(size - start));
    if (c.req.method === "HEAD") return new Response(null, { status, headers });
    const file = await Deno.open(real, { read: true });
    if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    return new Response(file.readable, { status, headers });
  };
}
