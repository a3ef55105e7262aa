import { assert, assertEquals } from "../testing/assert.ts";
import { withTempDir } from "../testing/with_temp_dir.ts";
import { startDeno } from "../testing/entry_process.ts";
import { PRODUCTION_ENV } from "../testing/production_env.ts";

const DOCKERFILE = new URL("../Dockerfile", import.meta.url);

/** The Dockerfile's HEALTHCHECK command, as the exec-form JSON array it is. */
async function healthcheck(): Promise<string[]> {
  const text = await Deno.readTextFile(DOCKERFILE);
  const line = text.split("\n").find((l) => l.startsWith("HEALTHCHECK "));
  if (line === undefined) throw new Error("Dockerfile has no HEALTHCHECK");
  return JSON.parse(line.slice(line.indexOf("CMD ") + 4));
}

async function runCheck(port: number): Promise<number> {
  const [cmd, ...args] = await healthcheck();
  assertEquals(cmd, "deno");
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    env: { PORT: String(port) },
    stdout: "null",
    stderr: "null",
  }).output();
  return code;
}

Deno.test("Dockerfile's HEALTHCHECK asks /healthz on the port PORT names", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new URL(req.url).pathname === "/healthz"
        ? new Response("ok")
        : new Response("no", { status: 404 }),
  );
  assertEquals(await runCheck(server.addr.port), 0);
});

Deno.test("Dockerfile's HEALTHCHECK fails, without a stack trace, when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  assertEquals(await runCheck(port), 1);
});

// The image's files: what the COPY lines take from the build context (the repository, less
// .dockerignore), laid out under WORKDIR as the build lays them out. Docker itself is not needed.

const ROOT = new URL("../", import.meta.url).pathname;

/** The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped. */
async function instructions(): Promise<{ op: string; args: string }[]> {
  const text = await Deno.readTextFile(DOCKERFILE);
  return text.replace(/\\\n/g, " ").split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

/** `.dockerignore`'s patterns; only plain paths, which this test understands, are accepted. */
async function dockerignore(): Promise<string[]> {
  const text = await Deno.readTextFile(`${ROOT}.dockerignore`).catch(() => "");
  const patterns = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const pattern of patterns) {
    assert(!/[*?[!]/.test(pattern), `.dockerignore pattern ${pattern}: teach this test globs`);
  }
  return patterns.map((p) => p.replace(/^\/+|\/+$/g, ""));
}

/** Copies `from` (a file or a folder, context-relative) to `to`, leaving out ignored paths. */
async function copyFromContext(from: string, to: string, ignored: string[]): Promise<void> {
  if (ignored.some((p) => from === p || from.startsWith(`${p}/`))) return;
  const info = await Deno.stat(`${ROOT}${from}`);
  if (!info.isDirectory) {
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${ROOT}${from}`, to);
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(`${ROOT}${from}`)) {
    await copyFromContext(
      from ? `${from}/${entry.name}` : entry.name,
      `${to}/${entry.name}`,
      ignored,
    );
  }
}

/**
 * Lays out in `app` (standing for WORKDIR) exactly what the Dockerfile's COPY lines copy, and runs
 * its `RUN deno …` lines there, as the build does.
 */
async function buildImageTree(app: string): Promise<void> {
  const ignored = await dockerignore();
  for (const { op, args } of await instructions()) {
    if (op === "WORKDIR") assertEquals(args, "/app", "the paths below are relative to /app");
    if (op === "COPY") {
      const words = args.split(/\s+/).filter((w) => !w.startsWith("--"));
      const dest = words.pop()!;
      assert(!dest.startsWith("/"), `COPY to ${dest}: this test expects paths inside WORKDIR`);
      for (const source of words) {
        const from = source.replace(/^\.\/|\/+$/g, "");
        const isDir = (await Deno.stat(`${ROOT}${from}`)).isDirectory;
        const base = `${app}/${dest.replace(/^\.\/?|\/+$/g, "")}`.replace(/\/$/, "");
        // A folder's contents go into dest; a file goes into dest/ (or becomes dest).
        const to = isDir
          ? base
          : dest.endsWith("/")
          ? `${base}/${from.slice(from.lastIndexOf("/") + 1)}`
          : base;
        await copyFromContext(from, to, ignored);
      }
    }
    if (op === "RUN" && args.startsWith("deno ")) {
      assert(!/[;&|<>$`]/.test(args), `RUN ${args}: this test runs deno lines without a shell`);
      const out = await new Deno.Command(Deno.execPath(), {
        args: args.split(/\s+/).slice(1),
        cwd: app,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, `RUN ${args}: ${new TextDecoder().decode(out.stderr)}`);
    }
  }
}

/** The image's ENV settings. */
async function imageEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const { op, args } of await instructions()) {
    if (op !== "ENV") continue;
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf("=");
      assert(eq > 0, `ENV ${args}: this test reads KEY=value pairs`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** The image's CMD, as the exec-form JSON array it is. */
async function imageCmd(): Promise<string[]> {
  const cmd = (await instructions()).findLast((i) => i.op === "CMD");
  assert(cmd, "Dockerfile has no CMD");
  return JSON.parse(cmd.args);
}

/** Repository-relative paths of the local files `entry` loads (statically or by `import()`). */
async function localModules(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; error?: string }[];
  };
  const broken = graph.modules.filter((m) => m.error !== undefined);
  assertEquals(broken.map((m) => m.error), [], `${entry}'s module graph in the repository`);
  const files = graph.modules.filter((m) => m.specifier.startsWith("file:"));
  assert(files.length > 1, `deno info found no local module beside ${entry}`);
  return files.map((m) => decodeURIComponent(new URL(m.specifier).pathname).slice(ROOT.length));
}

Deno.test("Dockerfile copies every local file main.ts loads (its module graph, import() included)", async () => {
  await withTempDir(async (dir) => {
    await buildImageTree(dir);
    const missing: string[] = [];
    for (const path of await localModules("main.ts")) {
      if (!await Deno.stat(`${dir}/${path}`).then(() => true, () => false)) missing.push(path);
    }
    assertEquals(missing, [], "files main.ts loads that no COPY line of the Dockerfile copies");
  });
});

Deno.test("Dockerfile: the copied files type-check, and the image's CMD starts with its ENV", async () => {
  await withTempDir(async (dir) => {
    const app = `${dir}/app`;
    await buildImageTree(app);
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "main.ts"],
      cwd: app,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));

    // `deno check` passes with a module of an import() missing (it did without
    // production_settings.ts): only running the CMD shows the image cannot start.
    const [cmd, ...args] = await imageCmd();
    assertEquals(cmd, "deno");
    const deno = Deno.env.get("DENO_DIR");
    await using child = await startDeno(args, {
      cwd: app,
      env: {
        ...await imageEnv(),
        // What `docker run` adds: the settings production requires (a free port here).
        ...PRODUCTION_ENV,
        CCGATE_KV_PATH: `${dir}/kv.sqlite3`,
        ...deno === undefined ? {} : { DENO_DIR: deno },
      },
      clearEnv: true,
    }, /listening on [^\n]*\n(?:.*\n)*=+\n/);
    const port = /listening on http:\/\/[^:]+:(\d+)/.exec(child.output())?.[1];
    assert(port, `the image's CMD did not start:\n${child.output()}`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assertEquals(await health.json(), { status: "ok" });
    // The auth service answers too: the whole app loaded, not only the early listener.
    const keys = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    assertEquals(keys.status, 200, child.output());
    await keys.body?.cancel();
  });
});
