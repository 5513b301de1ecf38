/**
 * Export encodings. CSV follows RFC 4180 (every cell quoted, quotes doubled, CRLF rows) and
 * neutralises spreadsheet formulas: a cell starting with = + - @ tab or CR gets a leading
 * apostrophe, so opening an export in a spreadsheet never runs attacker-written text.
 */
export type CellValue = string | number | boolean | null | undefined | readonly string[];

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CellValue): string {
  let text = value == null ? '' : Array.isArray(value) ? value.join(';') : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly CellValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** One JSON object per line; JSON.stringify escapes newlines, so a line is always one record. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
