/** Colour helpers that do nothing when colour is off. */
export interface Style {
  /** Bold text. */
  bold(text: string): string;
  /** Dimmed text. */
  dim(text: string): string;
  /** Green text. */
  green(text: string): string;
  /** Red text. */
  red(text: string): string;
  /** Yellow text. */
  yellow(text: string): string;
}

/** Colour is on for a terminal, unless `NO_COLOR` is set (https://no-color.org). */
export function colorEnabled(isTerminal: boolean, env: (name: string) => string | undefined) {
  const noColor = env("NO_COLOR");
  return isTerminal && (noColor === undefined || noColor === "");
}

/** Creates the colour helpers. */
export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
  };
}
