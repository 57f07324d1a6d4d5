// Writing CSV (RFC 4180: CRLF, fields quoted when they hold the delimiter, a quote or a line break,
// inner quotes doubled) and spreadsheet formula-injection defence (OWASP "CSV Injection": a cell
// starting with = + - @ TAB or CR is prefixed with an apostrophe so it is shown as text). Pure.

/** A value a spreadsheet would run as a formula (or a DDE command). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** An international phone number: a leading '+' there is data, not a formula. */
const PHONE_NUMBER = /^\+[0-9][0-9 ()./-]*$/;

export function isFormulaLike(value: string): boolean {
  return FORMULA_START.test(value);
}

/** Whether the value needs neutralising in this column (phone numbers may start with '+'). */
export function needsNeutralising(value: string, column: string): boolean {
  if (!isFormulaLike(value)) return false;
  return !(column.toLowerCase().endsWith('_number') && PHONE_NUMBER.test(value));
}

/** The value shown as text by spreadsheets: prefixed with an apostrophe. */
export function neutralise(value: string): string {
  return `'${value}`;
}

export function formatCsvField(value: string, delimiter = ','): string {
  if (value === '') return '';
  const mustQuote = value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r') || value !== value.trim();
  return mustQuote ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsvLine(values: readonly string[], delimiter = ','): string {
  return values.map((v) => formatCsvField(v, delimiter)).join(delimiter) + '\r\n';
}

/** UTF-8 byte-order mark: Excel and Windows PowerShell 5.1's Import-Csv then read non-ASCII correctly. */
export const UTF8_BOM = '\uFEFF';
