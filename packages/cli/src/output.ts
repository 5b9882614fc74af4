/** Prints a value as one line of JSON on stdout: the `--json` output of every command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints lines of human-readable output on stdout. */
export function printLines(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Lays rows out in left-aligned columns under upper-case headers, two spaces apart.
 *
 * @example
 * table(['id', 'name'], [['a', 'Acme']]) // ['ID  NAME', 'a   Acme']
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Aligned `label  value` lines, indented by two spaces. */
export function fields(pairs: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

/** An ISO timestamp without milliseconds (`2026-11-27T18:00:00Z`), or `-` when absent. */
export function when(iso: string | null | undefined): string {
  return iso ? iso.replace(/\.\d+Z$/, 'Z') : '-';
}

/** A comma-separated list, or `-` when empty. */
export function list(values: readonly string[]): string {
  return values.length ? values.join(', ') : '-';
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
