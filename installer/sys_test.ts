import { assert, assertEquals } from "../testing/assert.ts";
import { withTempDir } from "../testing/with_temp_dir.ts";
import { denoSys } from "./sys.ts";

const sys = denoSys({
  env: () => undefined,
  run: () => Promise.reject(new Deno.errors.NotFound("no commands here")),
  now: () => new Date("2026-11-30T03:00:00Z"),
});

const names = async (dir: string) => (await sys.listDir(dir)).join(",");

Deno.test("denoSys().writeFile() writes through a symlinked settings file to its target, keeping the link", async () => {
  await withTempDir(async (home) => {
    await Deno.mkdir(`${home}/.claude`);
    await Deno.mkdir(`${home}/dotfiles`);
    await Deno.writeTextFile(`${home}/dotfiles/claude.json`, '{"theme":"dark"}\n');
    await Deno.symlink("../dotfiles/claude.json", `${home}/.claude/settings.json`);
    await sys.writeFile(`${home}/.claude/settings.json`, new TextEncoder().encode("{}\n"), 0o600);
    assert((await Deno.lstat(`${home}/.claude/settings.json`)).isSymlink, "still a link");
    assertEquals(await Deno.readLink(`${home}/.claude/settings.json`), "../dotfiles/claude.json");
    assertEquals(await Deno.readTextFile(`${home}/dotfiles/claude.json`), "{}\n");
    assertEquals(await sys.mode(`${home}/dotfiles/claude.json`), 0o600);
    // No temporary file left on either side.
    assertEquals(await names(`${home}/.claude`), "settings.json");
    assertEquals(await names(`${home}/dotfiles`), "claude.json");
  });
});

Deno.test("denoSys().writeFile() follows a chain of links and creates a dangling link's file", async () => {
  await withTempDir(async (home) => {
    await Deno.mkdir(`${home}/a`);
    await Deno.mkdir(`${home}/b`);
    await Deno.symlink(`${home}/b/middle.json`, `${home}/a/settings.json`);
    await Deno.symlink("real.json", `${home}/b/middle.json`);
    await sys.writeFile(`${home}/a/settings.json`, new TextEncoder().encode("1\n"), 0o644);
    assert((await Deno.lstat(`${home}/a/settings.json`)).isSymlink);
    assert((await Deno.lstat(`${home}/b/middle.json`)).isSymlink);
    assertEquals(await Deno.readTextFile(`${home}/b/real.json`), "1\n");
    assertEquals(await names(`${home}/b`), "middle.json,real.json");
  });
});

Deno.test("denoSys().writeFile() replaces a plain file in place and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f.json`, "old\n");
    await sys.writeFile(`${dir}/f.json`, new TextEncoder().encode("new\n"), 0o600);
    assertEquals(await Deno.readTextFile(`${dir}/f.json`), "new\n");
    assertEquals(await names(dir), "f.json");
  });
});
