/**
 * The documents point at things that exist: local links resolve inside the
 * repository (and their `#anchors` to headings), repository paths in inline
 * code exist, `deno task X` names a task of the root deno.json, and
 * `ccgate X` names a command registered in `client/cli/`.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { configurationSources, STANDARD_VARIABLES } from "./configuration_sources.ts";

const root = new URL("../", import.meta.url);
const rootPath = decodeURIComponent(root.pathname);

async function markdownFiles(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir || ".", root))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      if (![".git", ".tools", ".ccgate", "node_modules", "dist"].includes(entry.name)) {
        out.push(...await markdownFiles(path));
      }
    } else if (entry.isFile && entry.name.endsWith(".md")) {
      out.push(path);
    }
  }
  return out.sort();
}

/** The text without fenced code blocks (their lines are blanked, so line numbers stay). */
function withoutFences(text: string): string {
  let inFence = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return "";
    }
    return inFence ? "" : line;
  }).join("\n");
}

/** GitHub's heading anchors of a Markdown document. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const match of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, "").replace(/ /g, "-");
    let unique = slug;
    for (let n = 1; out.has(unique); n++) unique = `${slug}-${n}`;
    out.add(unique);
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

const files = await markdownFiles();
const texts = new Map<string, string>();
for (const file of files) texts.set(file, await Deno.readTextFile(new URL(file, root)));

Deno.test("markdownFiles() finds the README, the docs and the client README", () => {
  for (const file of ["README.md", "docs/admins.md", "docs/developers.md", "client/README.md"]) {
    assert(files.includes(file), file);
  }
});

Deno.test("local links in the documents resolve inside the repository", async () => {
  const broken: string[] = [];
  let checked = 0;
  for (const [file, text] of texts) {
    const prose = withoutFences(text).replace(/`[^`\n]*`/g, "");
    for (const match of prose.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      checked++;
      const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = pathPart === ""
        ? new URL(file, root)
        : new URL(pathPart, new URL(file, root));
      const path = decodeURIComponent(resolved.pathname);
      if (!path.startsWith(rootPath)) {
        broken.push(`${file}: ${target} points outside the repository`);
      } else if (!await exists(path)) {
        broken.push(`${file}: ${target} does not exist`);
      } else if (anchor !== undefined && path.endsWith(".md")) {
        const relative = path.slice(rootPath.length);
        const targetText = texts.get(relative) ?? await Deno.readTextFile(path);
        if (!anchors(targetText).has(anchor)) broken.push(`${file}: ${target} has no such heading`);
      }
    }
  }
  assertEquals(broken, []);
  assert(checked > 20, `only ${checked} local links checked`);
});

Deno.test("repository paths in the documents' inline code exist", async () => {
  const topLevel = new Set<string>();
  for await (const entry of Deno.readDir(root)) topLevel.add(entry.name);
  topLevel.delete(".ccgate");
  // What the tools write (bench results, artifacts) is git-ignored: named in the docs, absent from a clone.
  const ignored = (await Deno.readTextFile(`${rootPath}.gitignore`)).split("\n")
    .map((line) => line.trim()).filter((line) => line.endsWith("/"));
  const missing: string[] = [];
  let checked = 0;
  for (const [file, text] of texts) {
    for (const match of withoutFences(text).matchAll(/`([^`\s]+)`/g)) {
      const token = match[1]!.replace(/[.,:;]$/, "");
      const first = token.split("/")[0]!;
      if (!token.includes("/") || !topLevel.has(first) || /[{}<>*$]/.test(token)) continue;
      if (ignored.some((dir) => token.startsWith(dir))) continue;
      checked++;
      if (!await exists(`${rootPath}${token}`)) missing.push(`${file}: ${token}`);
    }
  }
  assertEquals(missing, []);
  assert(checked > 10, `only ${checked} paths checked`);
});

Deno.test("deno tasks and ccgate commands the documents name exist", async () => {
  const tasks = Object.keys(
    JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks,
  );
  const commands = new Set<string>();
  for await (const entry of Deno.readDir(new URL("client/cli/", root))) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(new URL(`client/cli/${entry.name}`, root));
    for (const match of text.matchAll(/\.command\("([a-z-]+)"/g)) commands.add(match[1]!);
  }
  assert(commands.has("login") && commands.has("install"), "the CLI's commands found");
  const unknown: string[] = [];
  for (const [file, text] of texts) {
    for (
      const match of text.matchAll(/deno@[\d.]+ task ([\w:-]+)|deno task (?:--quiet )?([\w:-]+)/g)
    ) {
      const task = match[1] ?? match[2]!;
      if (!tasks.includes(task)) unknown.push(`${file}: deno task ${task}`);
    }
    for (const command of _ccgateCommands(text)) {
      if (!commands.has(command)) {
        unknown.push(`${file}: ccgate ${command}`);
      }
    }
  }
  assertEquals(unknown, []);
});

/** `ccgate X` command lines: inline code that starts with it, fenced lines that run it. */
function _ccgateCommands(text: string): string[] {
  const fenced = text.split("\n").filter((_, i, lines) =>
    (lines.slice(0, i).filter((l) => /^\s*(```|~~~)/.test(l)).length % 2) === 1
  ).join("\n");
  return [
    ...withoutFences(text).matchAll(/`ccgate ([a-z][a-z-]*)/g),
    ...fenced.matchAll(/^\s*(?:\$\s+)?ccgate ([a-z][a-z-]*)/gm),
    ...fenced.matchAll(/\$\(ccgate ([a-z][a-z-]*)/g),
  ].map((m) => m[1]!);
}

Deno.test("anchors() slugs headings as GitHub does, skipping code blocks", () => {
  const text = "# ccgate for admins\n## 1. Register ccgate in Entra ID\n### `CCGATE_KV_PATH`\n" +
    "```sh\n# not a heading\n```\n## Setup\n## Setup\n";
  assertEquals([...anchors(text)], [
    "ccgate-for-admins",
    "1-register-ccgate-in-entra-id",
    "ccgate_kv_path",
    "setup",
    "setup-1",
  ]);
});

Deno.test("_ccgateCommands() finds command lines, not prose", () => {
  const text = "ccgate sits between. Run `ccgate login`.\n```sh\n# run ccgate locally\n" +
    'ccgate doctor --json\ncurl -H "Bearer $(ccgate token)"\n```\n';
  assertEquals(_ccgateCommands(text), ["login", "doctor", "token"]);
});

Deno.test("every ccgate setting the documents name is in the configuration reference", () => {
  const documented = new Set([
    ...configurationSources().flatMap((s) => s.settings.map((d) => d.name)),
    ...STANDARD_VARIABLES.flatMap((v) => v.names),
  ]);
  const unknown: string[] = [];
  let found = 0;
  for (const [file, text] of texts) {
    for (const match of text.matchAll(/\b(?:CCGATE|ENTRA)_[A-Z0-9_]*[A-Z0-9]\b(?!_)/g)) {
      found++;
      if (!documented.has(match[0])) unknown.push(`${file}: ${match[0]}`);
    }
  }
  assertEquals([...new Set(unknown)], []);
  assert(found > 50, `only ${found} settings named`);
});
