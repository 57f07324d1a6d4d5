// Reading a CSV file: size limits before any byte is read, decoding (./encoding), the delimiter
// (comma, semicolon or TAB, guessed from the header unless given), then csv-parse with a record
// size limit, so a file of junk fails within its first 64 K characters. Every failure is a
// Csv.* EngineError that says where.
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { badRequest, EngineError, ExitCode } from '../errors';
import { isKnownColumn } from './columns';
import { decodeCsvBytes, type CsvEncoding, type CsvEncodingOption } from './encoding';

export type DelimiterOption = 'auto' | 'comma' | 'semicolon' | 'tab';
const DELIMITERS = { comma: ',', semicolon: ';', tab: '\t' } as const;
type Delimiter = (typeof DELIMITERS)[keyof typeof DELIMITERS];

export interface CsvLimits {
  maxFileBytes: number;
  maxRows: number;
  maxColumns: number;
  /** Characters in one record (csv-parse's buffer): guards against junk and a wrong delimiter. */
  maxRecordChars: number;
}

export const DEFAULT_LIMITS: CsvLimits = { maxFileBytes: 64 * 1024 * 1024, maxRows: 100_000, maxColumns: 512, maxRecordChars: 65_536 };

export interface CsvRecord {
  /** The line of the file on which the record starts (the header is line 1). */
  line: number;
  cells: string[];
}

export interface ParsedCsv {
  encoding: CsvEncoding;
  delimiter: Delimiter;
  header: string[];
  records: CsvRecord[];
  /** Lines that held nothing, or only delimiters (Excel's blank rows). */
  blankLines: number;
}

export function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? 'TAB' : delimiter === ';' ? 'semicolon' : 'comma';
}

/** The first line, outside quotes. */
function firstLine(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length && i < 65_536; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if ((ch === '\n' || ch === '\r') && !quoted) return text.slice(0, i);
  }
  return text.slice(0, 65_536);
}

/** The delimiter under which the header names the most known columns; then the most fields; comma on a tie. */
export function guessDelimiter(text: string): Delimiter {
  const line = firstLine(text);
  let best: { d: Delimiter; known: number; fields: number } = { d: ',', known: -1, fields: 0 };
  for (const d of [',', ';', '\t'] as const) {
    const fields = line.split(d);
    const known = fields.filter(isKnownColumn).length;
    if (known > best.known || (known === best.known && fields.length > best.fields)) best = { d, known, fields: fields.length };
  }
  return best.d;
}

function malformed(message: string, line?: number): EngineError {
  return new EngineError('Csv.Malformed', message, {
    category: 'InvalidData',
    exitCode: ExitCode.BadRequest,
    target: line === undefined ? null : `line ${line}`,
    details: line === undefined ? {} : { line },
  });
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

/** Parses decoded text. Throws on the first structural problem (quotes, record size, limits). */
export function parseCsvText(
  text: string,
  encoding: CsvEncoding,
  delimiterOption: DelimiterOption = 'auto',
  limits: CsvLimits = DEFAULT_LIMITS,
  /** Called with the header before any row is read; throw to stop (a file without the required columns stops at once). */
  onHeader: (header: string[]) => void = () => undefined,
): ParsedCsv {
  if (text.trim() === '') throw badRequest('Csv.Empty', 'The file is empty: it needs a header line naming the columns and one line per user.');
  const delimiter = delimiterOption === 'auto' ? guessDelimiter(text) : DELIMITERS[delimiterOption];
  let header: string[] | null = null;
  const records: CsvRecord[] = [];
  let blankLines = 0;
  let line = 1;
  try {
    parse(text, {
      delimiter,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      max_record_size: limits.maxRecordChars,
      on_record: (cells: string[]) => {
        const start = line;
        // Each record takes one line plus the line breaks inside its quoted cells.
        for (const cell of cells) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) line++;
        line++;
        if (header === null) {
          if (cells.length > limits.maxColumns) {
            throw new EngineError(
              'Csv.TooManyColumns',
              `The header has ${cells.length} columns; at most ${limits.maxColumns} are read. Is this a CSV file of users?`,
              { category: 'LimitsExceeded', exitCode: ExitCode.BadRequest },
            );
          }
          if (cells.every((c) => c.trim() === ''))
            throw badRequest('Csv.Empty', 'The first line of the file is empty; it must be the header naming the columns.');
          header = cells;
          onHeader(cells);
          return null;
        }
        if (cells.every((c) => c.trim() === '')) {
          blankLines++;
          return null;
        }
        if (records.length >= limits.maxRows) {
          throw new EngineError('Csv.TooManyRows', `The file has more than ${limits.maxRows} rows; split it, or raise the limit.`, {
            category: 'LimitsExceeded',
            exitCode: ExitCode.BadRequest,
            target: `line ${start}`,
          });
        }
        records.push({ line: start, cells });
        return null;
      },
    });
  } catch (err) {
    if (err instanceof EngineError) throw err;
    const e = err as CsvParseError;
    const at = typeof e.lines === 'number' ? e.lines : undefined;
    switch (e.code) {
      case 'CSV_MAX_RECORD_SIZE':
        throw malformed(
          `A record near line ${at ?? line} is longer than ${limits.maxRecordChars} characters: the file is not a CSV of users, an opening quote is never closed, or the delimiter is not ${delimiterName(delimiter)}.`,
          at,
        );
      case 'CSV_QUOTE_NOT_CLOSED':
        throw malformed(`A quoted field that starts near line ${line} is never closed: the file ends inside quotes. Check the quotes on that line.`, line);
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'INVALID_OPENING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        throw malformed(
          `Line ${at ?? line} has a stray double quote: a field with quotes must be quoted as a whole and inner quotes doubled ("say ""hi"""). (${e.message.replace(/\s+at line \d+.*$/, '')})`,
          at ?? line,
        );
      default:
        throw malformed(`The file cannot be read as CSV near line ${at ?? line}: ${e.message}`, at ?? line);
    }
  }
  if (header === null) throw badRequest('Csv.Empty', 'The file is empty: it needs a header line naming the columns and one line per user.');
  return { encoding, delimiter, header, records, blankLines };
}

/** Reads and parses a CSV file; the size limit is checked before reading. */
export async function readCsvFile(
  path: string,
  encoding: CsvEncodingOption = 'auto',
  delimiter: DelimiterOption = 'auto',
  limits: CsvLimits = DEFAULT_LIMITS,
  onHeader?: (header: string[]) => void,
): Promise<ParsedCsv> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new EngineError('Csv.FileNotFound', `The CSV file '${path}' does not exist.`, {
        category: 'ObjectNotFound',
        exitCode: ExitCode.BadRequest,
        target: path,
      });
    throw new EngineError('Csv.FileUnreadable', `Cannot open the CSV file '${path}' (${code ?? 'error'}).`, {
      category: 'ReadError',
      exitCode: ExitCode.BadRequest,
      target: path,
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new EngineError('Csv.FileUnreadable', `'${path}' is not a file.`, { category: 'InvalidArgument', exitCode: ExitCode.BadRequest, target: path });
    if (stat.size > limits.maxFileBytes) {
      throw new EngineError(
        'Csv.FileTooLarge',
        `The CSV file '${path}' is ${(stat.size / 1048576).toFixed(1)} MB; at most ${(limits.maxFileBytes / 1048576).toFixed(0)} MB are read. Split it, or raise the limit.`,
        { category: 'LimitsExceeded', exitCode: ExitCode.BadRequest, target: path },
      );
    }
    const bytes = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    const decoded = decodeCsvBytes(bytes.subarray(0, offset), encoding);
    return parseCsvText(decoded.text, decoded.encoding, delimiter, limits, onHeader);
  } finally {
    await handle.close();
  }
}
