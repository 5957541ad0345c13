import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DeviceError, InputError } from '../../base/errors.js';
import { EscPosBuilder } from '../escpos/builder.js';
import { EscPosDecoder, ReceiptCollector, type EscPosEvent } from '../escpos/decode.js';
import { parseReceipt, renderReceipt } from '../escpos/receipt.js';
import { decodePaperSensor, decodeRealtimeStatus, decodeStatusReplies, encodePaperSensor, encodeRealtimeStatus, refusal, type PrinterStatus } from '../escpos/status.js';
import { COLUMNS, columnsRow, decodeGb18030, encodeGb18030, keyValue, textColumns, wrap } from '../escpos/text.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('EscPosBuilder bytes (scanners-printers.md table)', () => {
  it('initialise, Chinese mode, alignment, bold, sizes, feed, cuts', () => {
    const b = new EscPosBuilder().initialize().chineseMode(true).align('left').align('center').align('right').bold(true).bold(false);
    b.printMode(0x30).size(2, 2).size(1, 1).feed(3).cut('full').cut('partial').chineseMode(false);
    expect(hex(b.bytes())).toBe('1b40' + '1c26' + '1b6100' + '1b6101' + '1b6102' + '1b4501' + '1b4500' + '1b2130' + '1d2111' + '1d2100' + '1b6403' + '1d5600' + '1d5601' + '1c2e');
  });

  it('QR: model 2, module size, level, store header with pL/pH = length + 3, print', () => {
    const data = 'https://zwfw.example.gov.cn/r/ABC123';
    const bytes = new EscPosBuilder().qr(data, { moduleSize: 6, errorLevel: 'Q' }).bytes();
    const n = data.length + 3;
    expect(hex(bytes)).toBe(
      '1d286b0400314132 00'.replace(' ', '') +
        '1d286b0300314306' +
        '1d286b0300314532' +
        `1d286b${(n & 0xff).toString(16).padStart(2, '0')}00315030` +
        Buffer.from(data).toString('hex') +
        '1d286b0300315130',
    );
    const long = 'x'.repeat(300);
    const lb = new EscPosBuilder().qr(long).bytes();
    expect(hex(lb.subarray(25, 33))).toBe('1d286b2f01315030'); // 303 = 0x012f, little-endian
    expect(() => new EscPosBuilder().qr('')).toThrow(RangeError);
  });

  it('text as GB18030 in Chinese mode; refuses non-ASCII without it', () => {
    const b = new EscPosBuilder().chineseMode(true).line('受理回执 No.1');
    expect(hex(b.bytes())).toBe('1c26' + hex(encodeGb18030('受理回执 No.1')) + '0a');
    expect(hex(encodeGb18030('受理'))).toBe('cadcc0ed');
    expect(() => new EscPosBuilder().text('中')).toThrow(/chineseMode/);
  });
});

describe('text: GB18030 and columns', () => {
  it('round-trips Chinese, rare characters (4-byte GB18030) and ASCII', () => {
    const s = '北京市朝阳区 𠀀 䶮 ABC-123 ￥';
    expect(decodeGb18030(encodeGb18030(s))).toBe(s);
    expect(encodeGb18030('𠀀').length).toBe(4);
  });

  it('encodes every BMP character and a sample of astral ones exactly as iconv-lite does', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c);
    for (let cp = 0x10000; cp < 0x110000; cp += 997) all += String.fromCodePoint(cp);
    all += '\ud800x'; // a lone surrogate
    const ours = encodeGb18030(all);
    const theirs = iconv.encode(all, 'gb18030');
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    expect(Buffer.from(encodeGb18030(all)).equals(theirs)).toBe(true); // from the cache
  });

  it('counts CJK characters double and wraps at 32 / 48 columns without splitting a character', () => {
    expect(COLUMNS[58]).toBe(32);
    expect(COLUMNS[80]).toBe(48);
    expect(textColumns('受理A')).toBe(5);
    const cjk = '中'.repeat(20);
    expect(wrap(cjk, 32)).toEqual(['中'.repeat(16), '中'.repeat(4)]);
    const mixed = 'A' + '中'.repeat(16); // 33 columns: the 16th CJK character cannot take half a column
    const lines = wrap(mixed, 32);
    expect(lines).toEqual(['A' + '中'.repeat(15), '中']);
    for (const l of lines) expect(decodeGb18030(encodeGb18030(l))).toBe(l);
    expect(wrap('hello world this is a test of wrapping words', 16)).toEqual(['hello world this', 'is a test of', 'wrapping words']);
    expect(wrap('x'.repeat(40), 16)).toEqual(['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(8)]);
    for (const l of wrap('办理事项：居民身份证换领（到期换领），材料齐全，已受理。', 32)) expect(textColumns(l)).toBeLessThanOrEqual(32);
  });

  it('key-value rows and columns fill the line exactly', () => {
    const [l] = keyValue('受理编号', 'SL2026-0001', 32);
    expect(textColumns(l!)).toBe(32);
    expect(l).toBe('受理编号 ' + ' '.repeat(32 - 9 - 11) + 'SL2026-0001');
    const long = keyValue('地址', '北京市朝阳区建国路八十八号院三号楼二单元一千零一室', 32);
    expect(long.length).toBeGreaterThan(1);
    for (const x of long) expect(textColumns(x)).toBe(32);
    expect(columnsRow([{ text: '项目', width: 20 }, { text: '12.00', width: 12, align: 'right' }], 32)).toEqual(['项目' + ' '.repeat(16) + '       12.00']);
  });
});

describe('receipt documents', () => {
  it('validates, naming the field, and strips control characters', () => {
    expect(parseReceipt({ title: 'a\u001b@b', lines: ['x\u0007y\tz'] })).toEqual({ title: 'a@b', lines: ['xy z'] });
    const bad: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ lines: [] }, /"title" is required/],
      [{ title: 1, lines: [] }, /"title" must be a string/],
      [{ title: 't', lines: 'x' }, /"lines" must be an array/],
      [{ title: 't', lines: ['ok', 5] }, /"lines\[1\]"/],
      [{ title: 't', lines: [], qr: 7 }, /"qr" must be a string/],
      [{ title: 't', lines: [], qr: '' }, /"qr" must not be empty/],
      [{ title: 't', lines: [], colour: 'red' }, /unknown field "colour"/],
      [{ title: 'x'.repeat(65), lines: [] }, /"title" is longer than 64/],
      [{ title: 't', lines: [{ text: 'a', align: 'middle' }] }, /"lines\[0\]\.align"/],
      [{ title: 't', lines: [], rows: [{ key: 'k' }] }, /"rows\[0\]\.value" is required/],
      [{ title: 't', lines: Array(201).fill('a') }, /more than 200/],
    ];
    for (const [v, re] of bad) {
      expect(() => parseReceipt(v)).toThrow(InputError);
      expect(() => parseReceipt(v)).toThrow(re);
    }
  });

  it('renders, and decodes back to the same text, rows and QR payload', () => {
    const r = parseReceipt({
      title: '受理回执',
      lines: ['申请人：张三', { text: '请妥善保管本回执', bold: true, align: 'center' }, '---'],
      rows: [{ key: '受理编号', value: 'SL-2026-000123' }],
      qr: 'https://zwfw.example.gov.cn/q?id=SL-2026-000123',
      footer: '北京市政务服务中心',
    });
    const bytes = renderReceipt(r, { width: 58 });
    expect(hex(bytes.subarray(0, 4))).toBe('1b401c26');
    expect(hex(bytes.subarray(-3))).toBe('1d5600');
    const events = new EscPosDecoder().push(bytes);
    const [receipt] = new ReceiptCollector().add(events);
    expect(receipt!.cut).toBe('full');
    expect(receipt!.qr).toEqual(['https://zwfw.example.gov.cn/q?id=SL-2026-000123']);
    const texts = receipt!.lines.map((l) => l.text.trim());
    expect(texts).toContain('受理回执');
    expect(texts).toContain('申请人：张三');
    expect(texts).toContain('北京市政务服务中心');
    expect(texts.some((t) => /^受理编号 +SL-2026-000123$/.test(t))).toBe(true);
    const title = receipt!.lines.find((l) => l.text === '受理回执')!;
    expect([title.align, title.bold, title.width, title.height]).toEqual(['center', true, 2, 2]);
    const keep = receipt!.lines.find((l) => l.text === '请妥善保管本回执')!;
    expect([keep.align, keep.bold, keep.width]).toEqual(['center', true, 1]);
    for (const l of receipt!.lines) expect(textColumns(l.text) * l.width).toBeLessThanOrEqual(32);
    const wide = new ReceiptCollector().add(new EscPosDecoder().push(renderReceipt(r, { width: 80 })))[0]!;
    expect(wide.lines.some((l) => l.text === '-'.repeat(48))).toBe(true);
  });
});

describe('status codec', () => {
  it('decodes the example out-of-paper replies 1A, 32, 7E', () => {
    expect(decodeRealtimeStatus(1, 0x1a)).toEqual({ online: false });
    expect(decodeRealtimeStatus(2, 0x32)).toEqual({ coverOpen: false, paperOut: true });
    expect(decodeRealtimeStatus(4, 0x7e)).toEqual({ paperNearEnd: true, paperOut: true });
    const s = decodeStatusReplies([0x1a, 0x32, 0x12, 0x7e]);
    expect(s).toEqual({ online: false, coverOpen: false, paperOut: true, paperNearEnd: true, cutterError: false, unrecoverableError: false, autoRecoverableError: false });
    expect(refusal(s)).toMatchObject({ code: 'printer.paperOut', message: expect.stringMatching(/缺纸.*out of paper/) });
  });

  it('decodes each documented bit', () => {
    expect(decodeRealtimeStatus(1, 0x12)).toEqual({ online: true });
    expect(decodeRealtimeStatus(2, 0x16)).toEqual({ coverOpen: true, paperOut: false });
    expect(decodeRealtimeStatus(3, 0x1a)).toEqual({ cutterError: true, unrecoverableError: false, autoRecoverableError: false });
    expect(decodeRealtimeStatus(3, 0x32)).toMatchObject({ unrecoverableError: true });
    expect(decodeRealtimeStatus(3, 0x52)).toMatchObject({ autoRecoverableError: true });
    expect(decodeRealtimeStatus(4, 0x1e)).toEqual({ paperNearEnd: true, paperOut: false });
    expect(decodePaperSensor(0x00)).toEqual({ paperNearEnd: false, paperOut: false });
    expect(decodePaperSensor(0x0f)).toEqual({ paperNearEnd: true, paperOut: true });
    expect(decodePaperSensor(0x03)).toEqual({ paperNearEnd: true, paperOut: false });
  });

  it('reports garbled replies as device.garbled', () => {
    for (const b of [0x00, 0x10, 0x02, 0x92, 0xff, 0x100, -1]) {
      expect(() => decodeRealtimeStatus(1, b)).toThrow(DeviceError);
      expect(() => decodeRealtimeStatus(1, b)).toThrow(/garbled/);
    }
    expect(() => decodePaperSensor(0x80)).toThrow(/garbled/);
  });

  it('encodes what it decodes, for every combination of conditions', () => {
    const keys = ['online', 'coverOpen', 'paperNearEnd', 'paperOut', 'cutterError', 'unrecoverableError', 'autoRecoverableError'] as const;
    for (let m = 0; m < 128; m++) {
      const s = Object.fromEntries(keys.map((k, i) => [k, ((m >> i) & 1) === 1])) as unknown as PrinterStatus;
      if (s.paperOut && !s.paperNearEnd) continue; // out implies near end on the sensors
      const back = decodeStatusReplies([1, 2, 3, 4].map((n) => encodeRealtimeStatus(n as 1, s)) as [number, number, number, number]);
      expect(back).toEqual(s);
      expect(decodePaperSensor(encodePaperSensor(s))).toEqual({ paperNearEnd: s.paperNearEnd, paperOut: s.paperOut });
    }
    expect(refusal({ online: true, coverOpen: false, paperNearEnd: true, paperOut: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false })).toBeUndefined();
  });
});

describe('EscPosDecoder', () => {
  const sample = renderReceipt(parseReceipt({ title: '排队号 A023', lines: ['前面还有 5 人', 'Window 3'], qr: '二维码内容 QR', footer: 'end' }));

  it('gives the same events however the bytes are split', () => {
    const whole = new EscPosDecoder().push(sample);
    for (const size of [1, 2, 3, 7, 64]) {
      const d = new EscPosDecoder();
      const got: EscPosEvent[] = [];
      for (let i = 0; i < sample.length; i += size) got.push(...d.push(sample.subarray(i, i + size)));
      expect(got).toEqual(whole);
    }
    expect(whole.find((e) => e.type === 'qr')).toMatchObject({ data: '二维码内容 QR', moduleSize: 6, errorLevel: 'M' });
  });

  it('decodes Chinese text only in Chinese mode (and by default when told so)', () => {
    const gb = encodeGb18030('中文');
    const off = new EscPosDecoder().push(Uint8Array.from([...gb, 0x0a]));
    expect(off[0]).toMatchObject({ type: 'line', text: 'ÖÐÎÄ' });
    const on = new EscPosDecoder({ chineseByDefault: true }).push(Uint8Array.from([...gb, 0x0a]));
    expect(on[0]).toMatchObject({ type: 'line', text: '中文' });
  });

  it('reports status queries, skips images and barcodes by length, and names unknown commands', () => {
    const d = new EscPosDecoder();
    const raster = [0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0x1b, 0x40, 0x0a, 0x10];
    const events = d.push(Uint8Array.from([0x10, 0x04, 0x02, 0x1d, 0x72, 0x01, ...raster, 0x1d, 0x6b, 0x04, 0x41, 0x42, 0x00, 0x1b, 0xee, 0x41, 0x0a]));
    expect(events).toEqual([
      { type: 'statusQuery', command: 'dleEot', n: 2 },
      { type: 'statusQuery', command: 'paperSensor', n: 1 },
      { type: 'image', bytes: 4 },
      { type: 'barcode', data: 'AB' },
      { type: 'unknown', bytes: Uint8Array.of(0x1b, 0xee) },
      expect.objectContaining({ type: 'line', text: 'A' }),
    ]);
  });
});
