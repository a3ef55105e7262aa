import { assertNoLineBreak } from "./_no_line_break.ts";
import { escapeXml } from "./_xml_escape.ts";
import { InstallerError } from "./errors.ts";
import { DEFAULT_REFRESH_INTERVAL_MINUTES, type RefreshSchedule } from "./refresh_schedule.ts";

/** Options of {@linkcode renderTaskSchedulerXml}. */
export interface TaskXmlOptions extends RefreshSchedule {
  /**
   * Who the task runs as: one user (`DOMAIN\user`, user scope) or every
   * signed-in member of Users (`S-1-5-32-545`, system scope).
   */
  principal: { userId: string } | { groupId: string };
}

/**
 * Renders the Task Scheduler definition (`schtasks /Create /XML`) that runs
 * `ccgate refresh` at logon and every `intervalMinutes`, only when signed in
 * (`InteractiveToken`: the session lives in the user's credential store),
 * never twice at once, without a window. The XML declares UTF-16: write it
 * as UTF-16LE with a byte order mark, which is what `schtasks` reads. A task
 * has no environment of its own: with a pinned environment it runs
 * `cmd.exe /d /c set "NAME=value"&& "program" refresh`. Pure.
 *
 * @throws {InstallerError} `usage` when a path or value holds a line break,
 *   or a pinned value holds `%` or `"` (cmd.exe cannot take them literally).
 */
export function renderTaskSchedulerXml(options: TaskXmlOptions): string {
  const env = Object.entries(options.env ?? {});
  assertNoLineBreak([options.program, ...env.flat()], "scheduled task");
  let command = options.program;
  let args = "refresh";
  if (env.length > 0) {
    for (const value of [options.program, ...env.flat()]) {
      if (/[%"]/.test(value)) {
        throw new InstallerError(
          "usage",
          `Cannot write the scheduled task: ${
            JSON.stringify(value)
          } holds % or ", which cmd.exe cannot pass on; use a folder without them`,
        );
      }
    }
    command = "cmd.exe";
    args = `/d /c ${
      env.map(([name, value]) => `set "${name}=${value}"&& `).join("")
    }"${options.program}" refresh`;
  }
  const every = options.intervalMinutes ?? DEFAULT_REFRESH_INTERVAL_MINUTES;
  const who = "userId" in options.principal
    ? `<UserId>${escapeXml(options.principal.userId)}</UserId>`
    : `<GroupId>${escapeXml(options.principal.groupId)}</GroupId>`;
  const logonUser = "userId" in options.principal
    ? `\n      <UserId>${escapeXml(options.principal.userId)}</UserId>`
    : "";
  return [
    `<?xml version="1.0" encoding="UTF-16"?>`,
    `<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">`,
    `  <RegistrationInfo>`,
    `    <Description>Refreshes the ccgate session that feeds Claude Code its credentials.</Description>`,
    `    <URI>\\ccgate-refresh</URI>`,
    `  </RegistrationInfo>`,
    `  <Triggers>`,
    `    <LogonTrigger>`,
    `      <Enabled>true</Enabled>${logonUser}`,
    `      <Delay>PT1M</Delay>`,
    `    </LogonTrigger>`,
    `    <TimeTrigger>`,
    `      <Enabled>true</Enabled>`,
    `      <StartBoundary>2024-01-01T00:00:00</StartBoundary>`,
    `      <Repetition>`,
    `        <Interval>PT${every}M</Interval>`,
    `        <StopAtDurationEnd>false</StopAtDurationEnd>`,
    `      </Repetition>`,
    `    </TimeTrigger>`,
    `  </Triggers>`,
    `  <Principals>`,
    `    <Principal id="Author">`,
    `      ${who}`,
    `      <LogonType>InteractiveToken</LogonType>`,
    `      <RunLevel>LeastPrivilege</RunLevel>`,
    `    </Principal>`,
    `  </Principals>`,
    `  <Settings>`,
    `    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>`,
    `    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>`,
    `    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>`,
    `    <StartWhenAvailable>true</StartWhenAvailable>`,
    `    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>`,
    `    <ExecutionTimeLimit>PT5M</ExecutionTimeLimit>`,
    `    <Hidden>true</Hidden>`,
    `    <Enabled>true</Enabled>`,
    `  </Settings>`,
    `  <Actions Context="Author">`,
    `    <Exec>`,
    `      <Command>${escapeXml(command)}</Command>`,
    `      <Arguments>${escapeXml(args)}</Arguments>`,
    `    </Exec>`,
    `  </Actions>`,
    `</Task>`,
    "",
  ].join("\r\n");
}

/** Encodes text as UTF-16LE with a byte order mark (what `schtasks /XML` and `regedit` read). */
export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out[2 + i * 2] = code & 0xff;
    out[3 + i * 2] = code >> 8;
  }
  return out;
}
