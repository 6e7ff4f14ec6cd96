/**
 * CSV formula injection (OWASP, "CSV Injection"): a spreadsheet that opens a CSV evaluates a cell starting with
 * `=`, `+`, `-` or `@` as a formula (and a leading tab or carriage return can hide one), so user-controlled text
 * such as a name (`=HYPERLINK("http://…")`) could run in the payroll office's Excel. Every CSV cell goes through
 * `safeCell`: one starting with such a character (or its full-width form, which some spreadsheets fold) is
 * prefixed with a single quote, which spreadsheets show as text and do not evaluate. Plain numbers (`-3.50`,
 * `-3,50`) are left alone, so negative figures stay numbers. Quoting of separators, quotes and line breaks is the
 * CSV writer's job (csv-stringify quotes such cells).
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const PLAIN_NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;

export function safeCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}
