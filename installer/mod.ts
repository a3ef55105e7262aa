/**
 * What `ccgate install` does to a workstation: Claude Code settings,
 * scheduled refresh, the mirror of Claude Code binaries.
 *
 * Pure renderers per platform (settings, systemd units, crontab lines,
 * LaunchAgent plist, Task Scheduler XML, MDM profiles), a pure planner, and
 * one module that touches the machine through an injected {@linkcode Sys}.
 *
 * @module
 */
export * from "./claude_code_settings.ts";
export * from "./claude_code_bedrock_settings.ts";
export * from "./ccgate_settings.ts";
export * from "./claude_settings_location.ts";
export * from "./settings_merge.ts";
export * from "./systemd_units.ts";
export * from "./crontab_entry.ts";
export * from "./launchd_plist.ts";
export * from "./task_scheduler_xml.ts";
export * from "./mdm_profiles.ts";
export * from "./mdm_bundle.ts";
export * from "./refresh_schedule.ts";
export * from "./launcher.ts";
export * from "./install_manifest.ts";
export * from "./install_plan.ts";
export * from "./install_paths.ts";
export * from "./uninstall_plan.ts";
export * from "./apply_plan.ts";
export * from "./install.ts";
export * from "./doctor.ts";
export * from "./schedule_status.ts";
export * from "./release_manifest.ts";
export * from "./mirror.ts";
export * from "./fetch_claude_code.ts";
export * from "./fetch_failure.ts";
export * from "./errors.ts";
export * from "./sys.ts";
