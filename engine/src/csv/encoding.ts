// Bytes of a CSV file → text. UTF-8 with or without BOM, UTF-16 LE/BE with BOM (Excel's "Unicode
// text"), and Windows-1252 only when asked for. Anything else fails with the offset and line of
// the first bad byte, never with a guess. Pure.
import { badRequest } from '../errors';

export type CsvEncodingOption = 'auto' | 'utf8' | 'utf16le' | 'utf16be' | 'windows1252';
export type CsvEncoding = 'UTF-8' | 'UTF-8 with BOM' | 'UTF-16 LE' | 'UTF-16 BE' | 'Windows-1252';

export interface DecodedCsv {
  text: string;
  encoding: CsvEncoding;
}

const BOM_UTF8 = [0xef, 0xbb, 0xbf];
const BOM_UTF16LE = [0xff, 0xfe];
const BOM_UTF16BE = [0xfe, 0xff];
const SAVE_HINT = "Save it from Excel as 'CSV UTF-8 (Comma delimited)' or 'Unicode Text', or name its encoding (-Encoding).";

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function lineAt(bytes: Uint8Array, offset: number, step = 1): number {
  let line = 1;
  for (let i = 0; i < offset; i += step) if (bytes[i] === 0x0a) line++;
  return line;
}

function hex(byte: number | undefined): string {
  return `0x${(byte ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    if (i + need >= bytes.length) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean, label: CsvEncoding): string {
  if (bytes.length % 2 !== 0) {
    throw badRequest('Csv.Encoding', `The file is ${label} but has an odd number of bytes (${bytes.length}): it is cut short or not ${label}. ${SAVE_HINT}`);
  }
  try {
    return new TextDecoder(littleEndian ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw badRequest('Csv.Encoding', `The file starts with a ${label} byte-order mark but is not valid ${label} (an unpaired surrogate). ${SAVE_HINT}`);
  }
}

/** NUL bytes in a file without a BOM: UTF-16 without its byte-order mark, or not text at all. */
function nulProblem(bytes: Uint8Array): string | null {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096));
  const nul = sample.indexOf(0);
  if (nul < 0) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenNuls++;
    else oddNuls++;
  }
  const half = sample.length / 2;
  if (oddNuls > half * 0.6 || evenNuls > half * 0.6) {
    return `The file looks like UTF-16 without a byte-order mark (NUL bytes at every other position). ${SAVE_HINT}`;
  }
  return `The file is not text: it holds a NUL byte at offset ${nul} (line ${lineAt(bytes, nul)}). Is it a spreadsheet (.xlsx) or another binary file? ${SAVE_HINT}`;
}

export function decodeCsvBytes(bytes: Uint8Array, option: CsvEncodingOption = 'auto'): DecodedCsv {
  const bom: CsvEncoding | null = startsWith(bytes, BOM_UTF8)
    ? 'UTF-8 with BOM'
    : startsWith(bytes, BOM_UTF16LE)
      ? 'UTF-16 LE'
      : startsWith(bytes, BOM_UTF16BE)
        ? 'UTF-16 BE'
        : null;
  const wanted: Record<Exclude<CsvEncodingOption, 'auto'>, CsvEncoding[]> = {
    utf8: ['UTF-8', 'UTF-8 with BOM'],
    utf16le: ['UTF-16 LE'],
    utf16be: ['UTF-16 BE'],
    windows1252: ['Windows-1252'],
  };
  if (bom && option !== 'auto' && !wanted[option].includes(bom)) {
    throw badRequest('Csv.Encoding', `The file starts with a ${bom} byte-order mark, but the encoding ${option} was asked for. Leave the encoding on Auto.`);
  }

  if (bom === 'UTF-16 LE' || (option === 'utf16le' && !bom))
    return { text: decodeUtf16(bytes.subarray(bom ? 2 : 0), true, 'UTF-16 LE'), encoding: 'UTF-16 LE' };
  if (bom === 'UTF-16 BE' || (option === 'utf16be' && !bom))
    return { text: decodeUtf16(bytes.subarray(bom ? 2 : 0), false, 'UTF-16 BE'), encoding: 'UTF-16 BE' };

  const body = bom === 'UTF-8 with BOM' ? bytes.subarray(3) : bytes;
  if (option === 'windows1252') {
    if (body.includes(0)) throw badRequest('Csv.Encoding', nulProblem(body) ?? 'The file holds NUL bytes.');
    return { text: new TextDecoder('windows-1252').decode(body), encoding: 'Windows-1252' };
  }
  const nul = nulProblem(body);
  if (nul) throw badRequest('Csv.Encoding', nul);
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const offset = bad + (bytes.length - body.length);
    throw badRequest(
      'Csv.Encoding',
      `The file is not valid UTF-8: byte ${hex(body[bad])} at offset ${offset} (line ${lineAt(body, bad)}). Excel's 'CSV (Comma delimited)' uses the Windows code page; if that is how it was saved, pass the encoding Windows1252. ${SAVE_HINT}`,
    );
  }
  return { text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), encoding: bom ?? 'UTF-8' };
}
