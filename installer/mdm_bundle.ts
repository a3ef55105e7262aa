import { sha256Hex } from "./_hash.ts";
import { ccgateSettings, type CcgateSettingsOptions } from "./ccgate_settings.ts";
import { DROP_IN_NAME, type InstallOs, MANAGED_SETTINGS_DIR } from "./claude_settings_location.ts";
import { programPath } from "./install_paths.ts";
import { quoteProgram } from "./launcher.ts";
import { renderMobileconfig, renderRegFile, renderRegistryScript } from "./mdm_profiles.ts";
import { renderSettingsJson } from "./settings_merge.ts";
import { utf16le } from "./task_scheduler_xml.ts";

/** One file of the MDM bundle. */
export interface MdmFile {
  /** File name. */
  name: string;
  /** What it is for. */
  description: string;
  /** The file's bytes. */
  data: Uint8Array;
}

/** A UUID made from a hash, so the same settings give the same profile (re-deploys replace it). */
async function stableUuid(seed: string): Promise<string> {
  const h = (await sha256Hex(new TextEncoder().encode(seed))).toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${
    h.slice(20, 32)
  }`;
}

/**
 * `ccgate install --emit mdm`: the same settings as a system install, as
 * files for an MDM instead of changes to this machine: a macOS
 * `.mobileconfig` (payload `com.anthropic.claudecode`), a Windows `.reg`
 * (UTF-16LE) and PowerShell script for `HKLM\SOFTWARE\Policies\ClaudeCode`,
 * and the Linux drop-in. Each OS's `apiKeyHelper` is the system-scope ccgate.
 * Pure (deterministic).
 */
export async function renderMdmBundle(
  options: Omit<CcgateSettingsOptions, "apiKeyHelper">,
): Promise<MdmFile[]> {
  const enc = new TextEncoder();
  // Where the fleet installs ccgate: the system-scope binary.
  const settingsFor = (os: InstallOs) => {
    const program = programPath(os, "system", "", () => undefined, "binary");
    return ccgateSettings({ ...options, apiKeyHelper: `${quoteProgram(os, program)} token` });
  };
  const mac = settingsFor("darwin");
  const seed = JSON.stringify(mac);
  return [
    {
      name: "ccgate.mobileconfig",
      description: "macOS configuration profile (com.anthropic.claudecode managed preferences)",
      data: enc.encode(renderMobileconfig({
        settings: mac,
        profileUuid: await stableUuid(`profile:${seed}`),
        payloadUuid: await stableUuid(`payload:${seed}`),
      })),
    },
    {
      name: "ccgate.reg",
      description:
        "Windows policy HKLM\\SOFTWARE\\Policies\\ClaudeCode (Group Policy, Intune import)",
      data: utf16le(renderRegFile(settingsFor("windows"))),
    },
    {
      name: "ccgate-policy.ps1",
      description: "the same Windows policy as an Intune platform script",
      data: enc.encode(renderRegistryScript(settingsFor("windows"))),
    },
    {
      name: DROP_IN_NAME,
      description:
        `Linux: copy to ${MANAGED_SETTINGS_DIR.linux}/managed-settings.d/${DROP_IN_NAME}`,
      data: enc.encode(renderSettingsJson(settingsFor("linux"))),
    },
  ];
}
