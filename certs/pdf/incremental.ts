/**
 * Incremental updates: new and replaced objects appended after the last %%EOF with a classic
 * cross-reference section and a trailer whose /Prev points at the previous one. Nothing before the
 * append point changes, so signatures over earlier revisions stay valid.
 */
import { deflateSync } from 'node:zlib';
import { pdf, pdfError, serializeValue, type PdfDict, type PdfFile, type PdfValue } from './parse.js';

export interface UpdateObject {
  readonly num: number;
  readonly gen?: number;
  /** The object's value; for a stream, its dictionary (/Length and /Filter are set here). */
  readonly value?: PdfValue;
  /** Or the object already written in PDF syntax (what goes between "obj" and "endobj"). */
  readonly raw?: Uint8Array;
  /** Stream data, stored Flate-compressed. */
  readonly stream?: Uint8Array;
}

export interface IncrementalUpdate {
  readonly bytes: Uint8Array;
  /** Offset of each written object's header. */
  readonly offsets: ReadonlyMap<number, number>;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Appends `objects` to the file as one revision; returns the new file bytes. */
export function appendIncrementalUpdate(file: PdfFile, objects: readonly UpdateObject[]): IncrementalUpdate {
  if (objects.length === 0) throw pdfError('update', 'an incremental update needs at least one object');
  const parts: Uint8Array[] = [file.bytes];
  let length = file.bytes.length;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    length += b.length;
  };
  const last = file.bytes[file.bytes.length - 1];
  if (last !== 10 && last !== 13) push(latin1('\n'));

  const offsets = new Map<number, number>();
  for (const o of objects) {
    if (offsets.has(o.num)) throw pdfError('update', `object ${o.num} written twice in one update`);
    offsets.set(o.num, length);
    const gen = o.gen ?? 0;
    if (o.raw) {
      push(latin1(`${o.num} ${gen} obj\n`));
      push(o.raw);
      push(latin1('\nendobj\n'));
    } else if (o.value === undefined) {
      throw pdfError('update', `object ${o.num} has no value`);
    } else if (o.stream) {
      if (typeof o.value !== 'object' || o.value === null || o.value.kind !== 'dict') throw pdfError('update', 'a stream needs a dictionary');
      const data = deflateSync(o.stream);
      const dict: PdfDict = pdf.dict(o.value.entries);
      dict.entries.set('Filter', pdf.name('FlateDecode'));
      dict.entries.set('Length', data.length);
      push(latin1(`${o.num} ${gen} obj\n${serializeValue(dict)}\nstream\n`));
      push(data);
      push(latin1('\nendstream\nendobj\n'));
    } else {
      push(latin1(`${o.num} ${gen} obj\n${serializeValue(o.value)}\nendobj\n`));
    }
  }

  const xrefOffset = length;
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let xref = 'xref\n';
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    xref += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const o = objects.find((x) => x.num === nums[k])!;
      xref += `${String(offsets.get(nums[k]!)!).padStart(10, '0')} ${String(o.gen ?? 0).padStart(5, '0')} n\r\n`;
    }
    i = j + 1;
  }

  // The new trailer repeats the newest one (Root, Info, ID, Encrypt) with a new /Size and /Prev.
  const trailer = pdf.dict(new Map());
  for (const [k, v] of file.trailer.entries) if (k !== 'Prev' && k !== 'XRefStm' && k !== 'Size') trailer.entries.set(k, v);
  trailer.entries.set('Size', Math.max(file.size, nums[nums.length - 1]! + 1));
  trailer.entries.set('Prev', file.startXref);
  push(latin1(`${xref}trailer\n${serializeValue(trailer)}\nstartxref\n${xrefOffset}\n%%EOF\n`));

  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { bytes: out, offsets };
}
