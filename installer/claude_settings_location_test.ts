import { assertEquals } from "../testing/assert.ts";
import { claudeSettingsLocation, compareVersions } from "./claude_settings_location.ts";

Deno.test("claudeSettingsLocation() writes a drop-in in each OS's managed folder for current Claude Code", () => {
  const at = (os: "linux" | "darwin" | "windows") =>
    claudeSettingsLocation({ os, scope: "system", home: "/h", claudeVersion: "2.1.197" }).path;
  assertEquals(at("linux"), "/etc/claude-code/managed-settings.d/50-ccgate.json");
  assertEquals(
    at("darwin"),
    "/Library/Application Support/ClaudeCode/managed-settings.d/50-ccgate.json",
  );
  assertEquals(at("windows"), "C:\\Program Files\\ClaudeCode\\managed-settings.d\\50-ccgate.json");
});

Deno.test("claudeSettingsLocation() merges into managed-settings.json before 2.1.83 and uses ProgramData before 2.1.2", () => {
  assertEquals(
    claudeSettingsLocation({ os: "linux", scope: "system", home: "/h", claudeVersion: "2.1.82" }),
    {
      path: "/etc/claude-code/managed-settings.json",
      kind: "merged",
      managedDir: "/etc/claude-code",
    },
  );
  assertEquals(
    claudeSettingsLocation({
      os: "windows",
      scope: "system",
      home: "C:\\Users\\u",
      claudeVersion: "2.0.76",
    })
      .path,
    "C:\\ProgramData\\ClaudeCode\\managed-settings.json",
  );
  assertEquals(
    claudeSettingsLocation({
      os: "windows",
      scope: "system",
      home: "C:\\Users\\u",
      claudeVersion: "2.1.50",
    })
      .path,
    "C:\\Program Files\\ClaudeCode\\managed-settings.json",
  );
});

Deno.test("claudeSettingsLocation() puts user scope in ~/.claude/settings.json", () => {
  assertEquals(
    claudeSettingsLocation({ os: "windows", scope: "user", home: "C:\\Users\\u" }).path,
    "C:\\Users\\u\\.claude\\settings.json",
  );
  assertEquals(compareVersions("2.1.100", "2.1.83") > 0, true);
});
