/** One structured log record. Never put a token, a prompt or a response text in one. */
export type LogRecord = {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
} & Record<string, unknown>;

/** Where log records go. */
export type Log = (record: LogRecord) => void;

/**
 * A {@linkcode Log} that writes one JSON object per line to stderr: stdout stays
 * free for what a CLI prints, and every record is a single line (no injected
 * newlines can forge another record).
 */
export function jsonLog(write: (line: string) => void = (line) => console.error(line)): Log {
  return (record) => write(JSON.stringify({ time: new Date().toISOString(), ...record }));
}
