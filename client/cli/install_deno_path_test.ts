import { assertEquals } from "../../testing/assert.ts";
import { withTempDir } from "../../testing/with_temp_dir.ts";
import { installDenoPath } from "./install_deno_path.ts";

const realPath = (path: string) => Deno.realPath(path);

Deno.test("installDenoPath() takes the deno on PATH that is the running one, as PATH names it", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/cache/node_modules/deno`, { recursive: true });
    await Deno.mkdir(`${dir}/bin`);
    await Deno.mkdir(`${dir}/other`);
    const real = `${dir}/cache/node_modules/deno/deno`;
    await Deno.writeTextFile(real, "#!/bin/sh\n");
    await Deno.symlink(real, `${dir}/bin/deno`);
    await Deno.writeTextFile(`${dir}/other/deno`, "#!/bin/sh\n"); // another deno
    const path = `relative/bin:${dir}/other:/nonexistent:${dir}/bin/`;
    assertEquals(await installDenoPath(real, { path, os: "linux", realPath }), `${dir}/bin/deno`);
  });
});

Deno.test("installDenoPath() keeps the running deno when PATH has none that is it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/deno`, "#!/bin/sh\n");
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/deno`, "#!/bin/sh\n");
    for (const path of [`${dir}/bin`, undefined, "", "bin"]) {
      assertEquals(
        await installDenoPath(`${dir}/deno`, { path, os: "linux", realPath }),
        `${dir}/deno`,
      );
    }
  });
});

Deno.test("installDenoPath() on Windows looks for deno.exe in absolute PATH folders", async () => {
  const links: Record<string, string> = {
    "C:\\Users\\dev\\.deno\\bin\\deno.exe": "D:\\cache\\deno.exe",
    "D:\\cache\\deno.exe": "D:\\cache\\deno.exe",
  };
  const resolve = (path: string) =>
    links[path] === undefined
      ? Promise.reject(new Deno.errors.NotFound(path))
      : Promise.resolve(links[path]!);
  assertEquals(
    await installDenoPath("D:\\cache\\deno.exe", {
      path: "bin;C:\\Windows;C:\\Users\\dev\\.deno\\bin\\",
      os: "windows",
      realPath: resolve,
    }),
    "C:\\Users\\dev\\.deno\\bin\\deno.exe",
  );
});
