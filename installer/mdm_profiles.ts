import { type PlistValue, renderPlist } from "./_plist.ts";
import type { JsonObject } from "./settings_merge.ts";

/**
 * The macOS preference domain Claude Code reads managed settings from
 * (`/Library/Managed Preferences/com.anthropic.claudecode.plist`, delivered
 * by a configuration profile; settings keys as native plist values). Source:
 * the Claude Code docs, "Settings files" / managed settings on macOS. The
 * Linux build of the 2.1.197 bundle strips the macOS reader, so it cannot be
 * confirmed there.
 */
export const MACOS_POLICY_DOMAIN = "com.anthropic.claudecode";

/**
 * The Windows policy key and value Claude Code reads: `HKLM\SOFTWARE\Policies\ClaudeCode`,
 * value `Settings` holding the settings JSON (REG_SZ). Confirmed in the 2.1.197
 * bundle: `tgn="HKLM\\SOFTWARE\\Policies\\ClaudeCode",ngn="HKCU\\SOFTWARE\\Policies\\ClaudeCode",wtt="Settings"`,
 * read with `reg query <key> /v Settings`.
 */
export const WINDOWS_POLICY_KEY = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode";
/** The registry value name of {@linkcode WINDOWS_POLICY_KEY}. */
export const WINDOWS_POLICY_VALUE = "Settings";

/** Options of {@linkcode renderMobileconfig}. */
export interface MobileconfigOptions {
  /** The settings (same as the managed settings file). */
  settings: JsonObject;
  /** The organization shown in System Settings. @default {"ccgate"} */
  organization?: string;
  /** Stable UUID of the profile (re-deploys replace it). */
  profileUuid: string;
  /** Stable UUID of the payload. */
  payloadUuid: string;
}

function toPlistValue(value: unknown): PlistValue {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  if (Array.isArray(value)) return value.map(toPlistValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlistValue(v)]));
  }
  return String(value);
}

/**
 * Renders a macOS configuration profile (`.mobileconfig`) with one payload
 * of type `com.anthropic.claudecode` whose keys are the settings: an MDM
 * installs it as managed preferences for every user of the Mac. Pure.
 */
export function renderMobileconfig(options: MobileconfigOptions): string {
  const payload: Record<string, PlistValue> = {
    PayloadType: MACOS_POLICY_DOMAIN,
    PayloadVersion: 1,
    PayloadIdentifier: `${MACOS_POLICY_DOMAIN}.ccgate`,
    PayloadUUID: options.payloadUuid,
    PayloadDisplayName: "Claude Code via ccgate",
    PayloadEnabled: true,
  };
  for (const [key, value] of Object.entries(options.settings)) {
    payload[key] = toPlistValue(value);
  }
  return renderPlist({
    PayloadContent: [payload],
    PayloadDisplayName: "Claude Code (ccgate)",
    PayloadDescription: "Points Claude Code at the company's ccgate gateway.",
    PayloadIdentifier: "com.ccgate.claudecode",
    PayloadOrganization: options.organization ?? "ccgate",
    PayloadScope: "System",
    PayloadType: "Configuration",
    PayloadUUID: options.profileUuid,
    PayloadVersion: 1,
  });
}

/**
 * Renders a `.reg` file (Registry Editor 5.00; write it UTF-16LE with a BOM)
 * that sets `HKLM\SOFTWARE\Policies\ClaudeCode` `Settings` to the settings
 * JSON, for Group Policy or Intune (import the .reg, or run the PowerShell
 * of {@linkcode renderRegistryScript}). Pure.
 */
export function renderRegFile(settings: JsonObject): string {
  const json = JSON.stringify(settings);
  const escaped = json.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return [
    "Windows Registry Editor Version 5.00",
    "",
    `[${WINDOWS_POLICY_KEY}]`,
    `"${WINDOWS_POLICY_VALUE}"="${escaped}"`,
    "",
  ].join("\r\n");
}

/**
 * Renders a PowerShell script (an Intune platform script or remediation)
 * setting the same registry value as {@linkcode renderRegFile}. Pure.
 */
export function renderRegistryScript(settings: JsonObject): string {
  const json = JSON.stringify(settings).replace(/'/g, "''");
  return [
    "# Sets Claude Code's managed settings for ccgate (run as SYSTEM, e.g. an Intune platform script).",
    "$ErrorActionPreference = 'Stop'",
    "$key = 'HKLM:\\SOFTWARE\\Policies\\ClaudeCode'",
    "New-Item -Path $key -Force | Out-Null",
    `Set-ItemProperty -Path $key -Name '${WINDOWS_POLICY_VALUE}' -Type String -Value '${json}'`,
    "",
  ].join("\r\n");
}
