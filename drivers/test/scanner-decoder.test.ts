import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { SerialCodeDecoder, type SerialDecoderOutput } from '../scanner/serial-decoder.js';
import { decodeCodeText } from '../scanner/text.js';
import { ScannerError } from '../scanner/types.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const utf8 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const texts = (out: SerialDecoderOutput[]): string[] => out.flatMap((o) => (o.kind === 'code' ? [o.text] : []));
const errors = (out: SerialDecoderOutput[]): string[] => out.flatMap((o) => (o.kind === 'error' ? [o.error.code] : []));

describe('decodeCodeText', () => {
  it('reads UTF-8, falls back to GB18030 for invalid UTF-8, and strips control characters', () => {
    expect(decodeCodeText(utf8('皖事通 https://x.cn/a?b=1'))).toEqual({ text: '皖事通 https://x.cn/a?b=1', encoding: 'utf-8' });
    expect(decodeCodeText(Uint8Array.from(iconv.encode('安徽省政务服务网', 'gb18030')))).toEqual({ text: '安徽省政务服务网', encoding: 'gb18030' });
    expect(decodeCodeText(Uint8Array.from([0x41, 0x07, 0x1b, 0x42, 0x7f, 0xc2, 0x85, 0x43]))).toEqual({ text: 'ABC', encoding: 'utf-8' });
  });
});

describe('SerialCodeDecoder', () => {
  it('splits codes at a CR suffix, in any chunking', () => {
    const stream = ascii('ABC123\rhttps://zwfw.ah.gov.cn/x\r');
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new SerialCodeDecoder({ suffix: 'cr' });
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(texts(out)).toEqual(['ABC123', 'https://zwfw.ah.gov.cn/x']);
      expect(d.pending).toBe(0);
    }
  });

  it('byte by byte, a Chinese UTF-8 payload survives', () => {
    const d = new SerialCodeDecoder({ suffix: 'lf' });
    const out = [...utf8('电子证照：皖A12345\n')].flatMap((b) => d.push(Uint8Array.of(b)));
    expect(texts(out)).toEqual(['电子证照：皖A12345']);
  });

  it('crlf: the code ends at CR LF, also when CR and LF arrive in separate chunks; a lone CR is dropped', () => {
    const d = new SerialCodeDecoder({ suffix: 'crlf' });
    expect(texts(d.push(ascii('AB\rCD\r')))).toEqual([]);
    expect(d.pending).toBe(5); // "ABCD" and a CR awaiting its LF
    expect(texts(d.push(ascii('\nEF\r\n')))).toEqual(['ABCD', 'EF']);
  });

  it('cr: a following LF is a control byte and makes no empty code; lf: a CR before it is dropped', () => {
    expect(texts(new SerialCodeDecoder({ suffix: 'cr' }).push(ascii('A1\r\nB2\r\n')))).toEqual(['A1', 'B2']);
    expect(texts(new SerialCodeDecoder({ suffix: 'lf' }).push(ascii('A1\r\nB2\r\n')))).toEqual(['A1', 'B2']);
    expect(texts(new SerialCodeDecoder({ suffix: 'lf' }).push(ascii('A1\rB2\n')))).toEqual(['A1B2']);
  });

  it('strips control bytes inside a code (STX/ETX framing, ESC, NUL, DEL)', () => {
    expect(texts(new SerialCodeDecoder().push(ascii('\x02AB\x00C\x1b\x7fD\x03\r')))).toEqual(['ABCD']);
  });

  it('decodes a GB18030 payload (invalid as UTF-8) and keeps UTF-8 codes around it right', () => {
    const d = new SerialCodeDecoder();
    const out = d.push(cat(utf8('前\r'), Uint8Array.from(iconv.encode('合肥市蜀山区', 'gb18030')), ascii('\r'), utf8('后\r')));
    expect(texts(out)).toEqual(['前', '合肥市蜀山区', '后']);
    expect(out.map((o) => (o.kind === 'code' ? o.encoding : ''))).toEqual(['utf-8', 'gb18030', 'utf-8']);
  });

  it('an overlong run yields one typed scanner.overlong error and resyncs at the next suffix', () => {
    const d = new SerialCodeDecoder({ maxLength: 16 });
    const out = [...d.push(ascii('X'.repeat(40))), ...d.push(ascii('Y'.repeat(40) + '\rOK-1\r'))];
    expect(errors(out)).toEqual(['scanner.overlong']);
    expect(texts(out)).toEqual(['OK-1']);
    const err = out.find((o) => o.kind === 'error');
    expect(err?.kind === 'error' && err.error).toBeInstanceOf(ScannerError);
    expect(err?.kind === 'error' && err.error.exitCode).toBe(3);
    // exactly maxLength is allowed
    expect(texts(new SerialCodeDecoder({ maxLength: 4 }).push(ascii('ABCD\r')))).toEqual(['ABCD']);
  });

  it('the inter-byte timeout drops a partial code (scanner.partial) by default, or flushes it', () => {
    const d = new SerialCodeDecoder();
    d.push(ascii('HALF'));
    expect(d.busy).toBe(true);
    expect(errors(d.expire())).toEqual(['scanner.partial']);
    expect(texts(d.push(ascii('NEXT\r')))).toEqual(['NEXT']);
    d.push(ascii('NOSUFFIX'));
    expect(texts(d.expire('flush'))).toEqual(['NOSUFFIX']);
    // an overlong run also ends at the timeout, silently (its error was already given)
    const o = new SerialCodeDecoder({ maxLength: 3 });
    expect(errors(o.push(ascii('ABCDEFG')))).toEqual(['scanner.overlong']);
    expect(o.expire()).toEqual([]);
    expect(texts(o.push(ascii('XY\r')))).toEqual(['XY']);
  });

  it('splits an AIM prefix off when told the scanner sends one', () => {
    const out = new SerialCodeDecoder({ aimPrefix: true }).push(ascii(']Q1https://a.cn\r]E06901234567892\r'));
    expect(out).toEqual([
      { kind: 'code', text: 'https://a.cn', encoding: 'utf-8', aim: ']Q1', symbology: 'qr' },
      { kind: 'code', text: '6901234567892', encoding: 'utf-8', aim: ']E0', symbology: 'ean13' },
    ]);
  });

  it('ignores empty codes (a bare suffix, or only control bytes)', () => {
    expect(new SerialCodeDecoder().push(ascii('\r\r\x01\x02\r'))).toEqual([]);
    expect(new SerialCodeDecoder({ aimPrefix: true }).push(ascii(']Q1\r'))).toEqual([]); // an AIM id alone (found by the fuzz test)
  });
});
