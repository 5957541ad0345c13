/**
 * The IPP codec: the encoding examples of RFC 8010 §3 byte for byte, round trips of every value type,
 * the checks on malformed input, and a fuzz of the decoder (it throws only 'device.garbled', never hangs).
 */
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { DEFAULT_LIMITS, attr, decode, encode, findAttribute, stringsOf, type IppMessage, type IppValue } from '../docprint/ipp-codec.js';
import { explainReasons, printJobRequest, readJob, readPrinters } from '../docprint/ipp-operations.js';

/** Builds bytes from a readable listing: numbers are bytes of the given width, strings are ASCII. */
function bytes(...parts: (string | [number, 1 | 2 | 4])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(...Buffer.from(p, 'latin1'));
    else {
      const [n, w] = p;
      for (let i = w - 1; i >= 0; i--) out.push((n >>> (8 * i)) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
const b1 = (n: number): [number, 1] => [n, 1];
const b2 = (n: number): [number, 2] => [n, 2];
const b4 = (n: number): [number, 4] => [n, 4];
/** One value item: tag, name, value. */
const item = (tag: number, name: string, value: string | Uint8Array): (string | [number, 1 | 2 | 4])[] => {
  const v = typeof value === 'string' ? value : Buffer.from(value).toString('latin1');
  return [b1(tag), b2(name.length), name, b2(Buffer.byteLength(v, 'latin1')), v];
};

// RFC 8010 §3.1.1: Print-Job request with job-name, ipp-attribute-fidelity, copies and sides, then data.
const PRINT_JOB_REQUEST = bytes(
  b2(0x0101),
  b2(0x0002),
  b4(1),
  b1(0x01),
  ...item(0x47, 'attributes-charset', 'utf-8'),
  ...item(0x48, 'attributes-natural-language', 'en-us'),
  ...item(0x45, 'printer-uri', 'ipp://printer.example.com/ipp/print/pinetree'),
  ...item(0x42, 'job-name', 'foobar'),
  ...item(0x22, 'ipp-attribute-fidelity', '\x01'),
  b1(0x02),
  ...item(0x21, 'copies', '\x00\x00\x00\x14'),
  ...item(0x44, 'sides', 'two-sided-long-edge'),
  b1(0x03),
  '%!PS...',
);

// RFC 8010 §3.1.2: the successful Print-Job response.
const PRINT_JOB_RESPONSE = bytes(
  b2(0x0101),
  b2(0x0000),
  b4(1),
  b1(0x01),
  ...item(0x47, 'attributes-charset', 'utf-8'),
  ...item(0x48, 'attributes-natural-language', 'en-us'),
  ...item(0x41, 'status-message', 'successful-ok'),
  b1(0x02),
  ...item(0x21, 'job-id', '\x00\x00\x00\x93'),
  ...item(0x45, 'job-uri', 'ipp://printer.example.com/ipp/print/pinetree/147'),
  ...item(0x23, 'job-state', '\x00\x00\x00\x03'),
  b1(0x03),
);

// RFC 8010 §3.1.8-style Get-Jobs request: requested-attributes with three values (additional values
// carry a zero-length name).
const GET_JOBS_REQUEST = bytes(
  b2(0x0101),
  b2(0x000a),
  b4(123),
  b1(0x01),
  ...item(0x47, 'attributes-charset', 'utf-8'),
  ...item(0x48, 'attributes-natural-language', 'en-us'),
  ...item(0x45, 'printer-uri', 'ipp://printer.example.com/ipp/print/pinetree'),
  ...item(0x21, 'limit', '\x00\x00\x00\x32'),
  ...item(0x44, 'requested-attributes', 'job-id'),
  ...item(0x44, '', 'job-name'),
  ...item(0x44, '', 'document-format'),
  b1(0x03),
);

describe('IPP codec: RFC 8010 examples', () => {
  it('decodes the Print-Job request and re-encodes it byte for byte', () => {
    const msg = decode(PRINT_JOB_REQUEST);
    expect(msg.version).toEqual({ major: 1, minor: 1 });
    expect(msg.code).toBe(2);
    expect(msg.requestId).toBe(1);
    expect(msg.groups.map((g) => g.tag)).toEqual(['operation', 'job']);
    expect(findAttribute(msg, 'printer-uri')?.values).toEqual([{ tag: 'uri', value: 'ipp://printer.example.com/ipp/print/pinetree' }]);
    expect(findAttribute(msg, 'ipp-attribute-fidelity')?.values).toEqual([{ tag: 'boolean', value: true }]);
    expect(findAttribute(msg, 'copies', 'job')?.values).toEqual([{ tag: 'integer', value: 20 }]);
    expect(findAttribute(msg, 'sides', 'job')?.values).toEqual([{ tag: 'keyword', value: 'two-sided-long-edge' }]);
    expect(Buffer.from(msg.data!).toString()).toBe('%!PS...');
    expect(Buffer.from(encode(msg))).toEqual(Buffer.from(PRINT_JOB_REQUEST));
  });

  it('decodes the Print-Job response (job-id 147, pending)', () => {
    const msg = decode(PRINT_JOB_RESPONSE);
    expect(msg.code).toBe(0);
    expect(readJob(msg)).toEqual({ id: 147, state: 'pending', stateCode: 3, reasons: [] });
    expect(Buffer.from(encode(msg))).toEqual(Buffer.from(PRINT_JOB_RESPONSE));
  });

  it('joins additional values (zero-length names) into one multi-valued attribute', () => {
    const msg = decode(GET_JOBS_REQUEST);
    expect(stringsOf(findAttribute(msg, 'requested-attributes'))).toEqual(['job-id', 'job-name', 'document-format']);
    expect(Buffer.from(encode(msg))).toEqual(Buffer.from(GET_JOBS_REQUEST));
  });

  it('builds a Print-Job request with the PDF after the end tag', () => {
    const pdf = new TextEncoder().encode('%PDF-1.7 body');
    const req = printJobRequest({ printerUri: 'ipp://127.0.0.1:631/printers/Q', requestId: 7, userName: 'kiosk' }, '证书 4711', pdf);
    const back = decode(encode(req));
    expect(back.code).toBe(2);
    expect(back.requestId).toBe(7);
    expect(stringsOf(findAttribute(back, 'job-name'))).toEqual(['证书 4711']);
    expect(stringsOf(findAttribute(back, 'document-format'))).toEqual(['application/pdf']);
    expect(stringsOf(findAttribute(back, 'requesting-user-name'))).toEqual(['kiosk']);
    expect(Buffer.from(back.data!)).toEqual(Buffer.from(pdf));
  });
});

describe('IPP codec: round trips of every value type', () => {
  const values: IppValue[] = [
    { tag: 'integer', value: -2147483648 },
    { tag: 'integer', value: 2147483647 },
    { tag: 'enum', value: 9 },
    { tag: 'boolean', value: false },
    { tag: 'keyword', value: 'media-empty-error' },
    { tag: 'uri', value: 'ipp://localhost/printers/A' },
    { tag: 'uriScheme', value: 'ipp' },
    { tag: 'charset', value: 'utf-8' },
    { tag: 'naturalLanguage', value: 'zh-cn' },
    { tag: 'nameWithoutLanguage', value: '办事大厅 1 号机' },
    { tag: 'textWithoutLanguage', value: '缺纸' },
    { tag: 'mimeMediaType', value: 'application/pdf' },
    { tag: 'octetString', value: Uint8Array.of(0, 255, 7) },
    { tag: 'dateTime', value: new Date('2026-11-21T20:15:30.400Z') },
    { tag: 'resolution', value: { x: 600, y: 300, units: 3 } },
    { tag: 'rangeOfInteger', value: { lower: 1, upper: 999 } },
    { tag: 'textWithLanguage', value: { language: 'zh-cn', text: '打印机已暂停' } },
    { tag: 'nameWithLanguage', value: { language: 'en', text: 'kiosk' } },
    { tag: 'noValue', value: null },
    { tag: 'unknown', value: null },
    { tag: 'other', code: 0x4b, value: Uint8Array.of(1, 2) },
    {
      tag: 'collection',
      value: [
        attr('media-size', { tag: 'collection', value: [attr('x-dimension', { tag: 'integer', value: 21000 }), attr('y-dimension', { tag: 'integer', value: 29700 })] }),
        attr('media-type', { tag: 'keyword', value: 'stationery' }, { tag: 'keyword', value: 'photo' }),
      ],
    },
  ];

  it('each value, alone and all together as one multi-valued attribute, in every group kind', () => {
    for (const v of values) {
      const msg: IppMessage = { version: { major: 2, minor: 0 }, code: 0x0406, requestId: 99, groups: [{ tag: 'printer', attributes: [attr('x', v)] }] };
      expect(decode(encode(msg))).toEqual(msg);
    }
    const all: IppMessage = {
      version: { major: 1, minor: 1 },
      code: 0,
      requestId: 2147483647,
      groups: (['operation', 'job', 'printer', 'unsupported', 'subscription', 'eventNotification', 'document'] as const).map((tag) => ({
        tag,
        attributes: [attr('many', ...values), attr('one', { tag: 'enum', value: 5 })],
      })),
    };
    expect(decode(encode(all))).toEqual(all);
  });

  it('reads a dateTime with a non-UTC offset as the same instant', () => {
    const msg = decode(bytes(b2(0x0101), b2(0), b4(1), b1(0x04), b1(0x31), b2(1), 'd', b2(11), b2(2026), b1(11), b1(22), b1(4), b1(15), b1(30), b1(0), '+', b1(8), b1(0), b1(0x03)));
    expect(findAttribute(msg, 'd')?.values[0]).toEqual({ tag: 'dateTime', value: new Date('2026-11-21T20:15:30Z') });
  });

  it('reads CUPS-Get-Printers style replies: one printer group per queue', () => {
    const reply: IppMessage = {
      version: { major: 1, minor: 1 },
      code: 0,
      requestId: 1,
      groups: [
        { tag: 'operation', attributes: [attr('attributes-charset', { tag: 'charset', value: 'utf-8' })] },
        { tag: 'printer', attributes: [attr('printer-name', { tag: 'nameWithoutLanguage', value: 'A' }), attr('printer-state', { tag: 'enum', value: 5 }), attr('printer-state-reasons', { tag: 'keyword', value: 'paused' }, { tag: 'keyword', value: 'media-empty-error' }), attr('printer-is-accepting-jobs', { tag: 'boolean', value: false })] },
        { tag: 'printer', attributes: [attr('printer-name', { tag: 'nameWithoutLanguage', value: 'B' }), attr('printer-state', { tag: 'enum', value: 3 }), attr('printer-state-reasons', { tag: 'keyword', value: 'none' })] },
      ],
    };
    expect(readPrinters(decode(encode(reply)))).toEqual([
      { name: 'A', state: 'stopped', stateCode: 5, reasons: ['paused', 'media-empty-error'], acceptingJobs: false },
      { name: 'B', state: 'idle', stateCode: 3, reasons: [], acceptingJobs: true },
    ]);
    expect(explainReasons(['paused', 'media-empty-error'])).toBe('paused (paused by an operator (cupsenable/Resume-Printer starts it again)), media-empty-error (out of paper)');
  });

  it('refuses to encode what IPP cannot carry', () => {
    const one = (v: IppValue) => encode({ version: { major: 1, minor: 1 }, code: 0, requestId: 1, groups: [{ tag: 'job', attributes: [attr('x', v)] }] });
    expect(() => one({ tag: 'integer', value: 2 ** 31 })).toThrow(RangeError);
    expect(() => one({ tag: 'integer', value: 1.5 })).toThrow(RangeError);
    expect(() => one({ tag: 'keyword', value: 'x'.repeat(70_000) })).toThrow(RangeError);
    expect(() => one({ tag: 'dateTime', value: new Date(NaN) })).toThrow(RangeError);
    expect(() => one({ tag: 'other', code: 0x03, value: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => one({ tag: 'other', code: 0x37, value: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => encode({ version: { major: 1, minor: 1 }, code: 0, requestId: 1, groups: [{ tag: 'job', attributes: [attr('x')] }] })).toThrow(RangeError);
  });
});

function garbledCode(input: Uint8Array): string | undefined {
  try {
    decode(input);
    return undefined;
  } catch (err) {
    if (!(err instanceof DeviceError)) throw err;
    return err.code;
  }
}

describe('IPP codec: malformed input is device.garbled', () => {
  const head = [b2(0x0101), b2(0), b4(1)] as const;
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['header cut short', bytes(b2(0x0101), b2(0))],
    ['no end tag', bytes(...head, b1(0x01))],
    ['version 0.9', bytes(b2(0x0009), b2(0), b4(1), b1(0x03))],
    ['attribute before a group', bytes(...head, ...item(0x44, 'a', 'b'), b1(0x03))],
    ['unknown group tag', bytes(...head, b1(0x0e), b1(0x03))],
    ['additional value first', bytes(...head, b1(0x01), ...item(0x44, '', 'b'), b1(0x03))],
    ['name longer than the message', bytes(...head, b1(0x01), b1(0x44), b2(500), 'abc')],
    ['value longer than the message', bytes(...head, b1(0x01), b1(0x44), b2(1), 'a', b2(0xffff), 'abc')],
    ['integer of 3 bytes', bytes(...head, b1(0x01), ...item(0x21, 'n', '\x00\x00\x01'), b1(0x03))],
    ['boolean 2', bytes(...head, b1(0x01), ...item(0x22, 'b', '\x02'), b1(0x03))],
    ['range of 7 bytes', bytes(...head, b1(0x01), ...item(0x33, 'r', '1234567'), b1(0x03))],
    ['dateTime month 13', bytes(...head, b1(0x01), ...item(0x31, 'd', '\x07\xea\x0d\x01\x00\x00\x00\x00+\x00\x00'), b1(0x03))],
    ['text-with-language overrun', bytes(...head, b1(0x01), ...item(0x35, 't', '\x00\x09en'), b1(0x03))],
    ['extended tag', bytes(...head, b1(0x01), ...item(0x7f, 'x', '\x00\x00\x00\x01'), b1(0x03))],
    ['value tag above 0x7f', bytes(...head, b1(0x01), ...item(0x90, 'x', 'y'), b1(0x03))],
    ['endCollection outside a collection', bytes(...head, b1(0x01), ...item(0x37, '', ''), b1(0x03))],
    ['collection never ended', bytes(...head, b1(0x01), ...item(0x34, 'c', ''), ...item(0x4a, '', 'm'), ...item(0x21, '', '\x00\x00\x00\x01'), b1(0x03))],
    ['collection value without member name', bytes(...head, b1(0x01), ...item(0x34, 'c', ''), ...item(0x21, '', '\x00\x00\x00\x01'), ...item(0x37, '', ''), b1(0x03))],
  ];
  for (const [what, input] of cases) {
    it(what, () => expect(garbledCode(input)).toBe('device.garbled'));
  }

  it('bounds collection depth, attribute count and values per attribute', () => {
    const deep: (string | [number, 1 | 2 | 4])[] = [...head, b1(0x04), ...item(0x34, 'c', '')];
    for (let i = 0; i < 20; i++) deep.push(...item(0x4a, '', 'm'), ...item(0x34, '', ''));
    expect(garbledCode(bytes(...deep))).toBe('device.garbled');
    const many: (string | [number, 1 | 2 | 4])[] = [...head, b1(0x04)];
    for (let i = 0; i < 30; i++) many.push(...item(0x44, `a${i}`, 'k'));
    many.push(b1(0x03));
    expect(() => decode(bytes(...many), { ...DEFAULT_LIMITS, maxAttributes: 20 })).toThrow(/more than 20 attributes/);
    const values: (string | [number, 1 | 2 | 4])[] = [...head, b1(0x04), ...item(0x44, 'a', 'k')];
    for (let i = 0; i < 30; i++) values.push(...item(0x44, '', 'k'));
    values.push(b1(0x03));
    expect(() => decode(bytes(...values), { ...DEFAULT_LIMITS, maxValuesPerAttribute: 20 })).toThrow(/more than 20 values/);
  });
});

/** A small seeded PRNG (mulberry32) so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IPP codec: fuzz', () => {
  const seeds = [PRINT_JOB_REQUEST, PRINT_JOB_RESPONSE, GET_JOBS_REQUEST];

  it('random bytes and mutated real messages decode or throw device.garbled, nothing else', () => {
    const rand = rng(4711);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      let input: Uint8Array;
      if (i % 4 === 0) {
        input = Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      } else {
        const base = seeds[i % seeds.length]!;
        const copy = Uint8Array.from(base);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        // Sometimes cut it short, sometimes keep it whole.
        input = rand() < 0.3 ? copy.subarray(0, Math.floor(rand() * copy.length)) : copy;
      }
      const code = garbledCode(input);
      if (code === undefined) decoded++;
      else {
        expect(code).toBe('device.garbled');
        refused++;
      }
    }
    // Both paths were exercised.
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('whatever decodes re-encodes to a message that decodes the same', () => {
    const rand = rng(99);
    for (let i = 0; i < 5000; i++) {
      const copy = Uint8Array.from(seeds[i % seeds.length]!);
      copy[8 + Math.floor(rand() * (copy.length - 8))] = Math.floor(rand() * 256);
      let msg: IppMessage;
      try {
        msg = decode(copy);
      } catch {
        continue;
      }
      expect(decode(encode(msg))).toEqual(msg);
    }
  });
});
