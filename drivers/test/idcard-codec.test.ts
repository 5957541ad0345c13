import { describe, expect, it } from 'vitest';
import { encodeBaseInfo, encodeText, parseBaseInfo, splitBaseInfo, type CardContent } from '../idcard/base-info.js';
import { NATION, SEX, cardDate, idCheckChar, isValidIdNumber } from '../idcard/codes.js';
import { Sw3Error, SW3_MESSAGES } from '../idcard/errors.js';
import { FrameExtractor, GarbledError, decodeReply, encodeCommand, encodeReply, type Extracted } from '../idcard/frame.js';
import { loadCardFixture, seededBytes } from '../sim/idcard-sim.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((h) => parseInt(h, 16)));
const frames = (xs: Extracted[]): string[] => xs.map((x) => (x.kind === 'frame' ? Buffer.from(x.body).toString('hex') : `error:${x.error.code}`));

describe('SAM frames', () => {
  it('encodes the host frames of the reference table byte for byte', () => {
    expect(encodeCommand(0x10, 0xff)).toEqual(hex('AA AA AA 96 69 00 03 10 FF EC'));
    expect(encodeCommand(0x11, 0xff)).toEqual(hex('AA AA AA 96 69 00 03 11 FF ED'));
    expect(encodeCommand(0x12, 0xff)).toEqual(hex('AA AA AA 96 69 00 03 12 FF EE'));
    expect(encodeCommand(0x20, 0x01)).toEqual(hex('AA AA AA 96 69 00 03 20 01 22'));
    expect(encodeCommand(0x20, 0x02)).toEqual(hex('AA AA AA 96 69 00 03 20 02 21'));
    expect(encodeCommand(0x30, 0x01)).toEqual(hex('AA AA AA 96 69 00 03 30 01 32'));
    expect(encodeCommand(0x30, 0x10)).toEqual(hex('AA AA AA 96 69 00 03 30 10 23'));
  });

  it('decodes hand-built replies: SAM status, find (LEN 00 08), select (LEN 00 0C)', () => {
    const x = new FrameExtractor();
    const status = hex('AA AA AA 96 69 00 04 00 00 90 94');
    const find = hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97');
    const select = hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C');
    const out = x.push(Uint8Array.from([...status, ...find, ...select]));
    expect(out.map((o) => o.kind)).toEqual(['frame', 'frame', 'frame']);
    const replies = out.map((o) => (o.kind === 'frame' ? decodeReply(o.body) : undefined));
    expect(replies.map((r) => r?.sw3)).toEqual([0x90, 0x9f, 0x90]);
    expect(replies.map((r) => r?.data.length)).toEqual([0, 4, 8]);
    expect(encodeReply(0x9f, new Uint8Array(4))).toEqual(find);
  });

  it('reassembles frames split at every byte and skips noise between them', () => {
    const stream = Uint8Array.from([0x01, 0xaa, 0xaa, ...encodeReply(0x90), 0x55, 0xaa, 0x96, ...encodeReply(0x9f, new Uint8Array(4))]);
    const x = new FrameExtractor();
    const got: Extracted[] = [];
    for (const b of stream) got.push(...x.push(Uint8Array.of(b)));
    expect(frames(got)).toEqual(['000090', '00009f00000000']);
    expect(x.pending).toBeLessThan(5);
  });

  it('rejects a bad checksum whole and recovers the next frame', () => {
    const bad = encodeReply(0x90, new Uint8Array(8));
    bad[bad.length - 1]! ^= 1;
    const out = new FrameExtractor().push(Uint8Array.from([...bad, ...encodeReply(0x9f, new Uint8Array(4))]));
    expect(frames(out)).toEqual(['error:device.garbled', '00009f00000000']);
  });

  it('rejects impossible lengths and finds a real frame hidden behind a truncated one', () => {
    expect(frames(new FrameExtractor().push(hex('AA AA AA 96 69 00 01 00 AA AA AA 96 69 00 04 00 00 90 94')))).toEqual(['error:device.garbled', '000090']);
    expect(frames(new FrameExtractor().push(hex('AA AA AA 96 69 FF FF 00')))).toEqual(['error:device.garbled']);
    // The first half of a read reply, then a whole find reply: the find is found after the half is rejected.
    const read = encodeReply(0x90, new Uint8Array(40));
    const out = new FrameExtractor().push(Uint8Array.from([...read.subarray(0, 20), ...encodeReply(0x9f, new Uint8Array(4)), ...new Uint8Array(40)]));
    expect(frames(out)).toContain('00009f00000000');
    expect(frames(out)[0]).toBe('error:device.garbled');
  });

  it('keeps its buffer bounded on endless noise and forgets a partial frame on reset', () => {
    const x = new FrameExtractor();
    for (let i = 0; i < 1000; i++) x.push(new Uint8Array(1000).fill(0x13));
    expect(x.pending).toBeLessThan(5);
    x.push(encodeReply(0x90, new Uint8Array(100)).subarray(0, 50));
    expect(x.pending).toBe(50);
    x.reset();
    expect(frames(x.push(encodeReply(0x90)))).toEqual(['000090']);
  });
});

describe('codes', () => {
  it('has the sex table and the full GB 3304 nation table', () => {
    expect([...SEX]).toEqual([['0', '未知'], ['1', '男'], ['2', '女'], ['9', '未说明']]);
    expect(NATION.size).toBe(58);
    expect(NATION.get('01')).toBe('汉');
    expect(NATION.get('46')).toBe('德昂');
    expect(NATION.get('56')).toBe('基诺');
    expect([NATION.get('10'), NATION.get('23'), NATION.get('29'), NATION.get('37'), NATION.get('43'), NATION.get('50')]).toEqual(['朝鲜', '高山', '柯尔克孜', '仡佬', '乌孜别克', '塔塔尔']);
    expect(NATION.get('97')).toBe('其他');
    expect(NATION.get('98')).toBe('外国血统中国籍人士');
    expect(NATION.get('57')).toBeUndefined();
  });

  it('computes the ISO 7064 MOD 11-2 check digit', () => {
    expect(idCheckChar('11010519491231002')).toBe('X'); // the standard's own example
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002')).toBe(false);
  });

  it('turns card dates into YYYY-MM-DD and refuses impossible ones', () => {
    expect(cardDate('20240229')).toBe('2024-02-29');
    expect(cardDate('20230229')).toBeUndefined();
    expect(cardDate('2024-02-2')).toBeUndefined();
    expect(cardDate('')).toBeUndefined();
  });

  it('maps SW3 codes to typed errors with Chinese and English messages', () => {
    for (const code of [0x10, 0x31, 0x32, 0x33, 0x41, 0x60, 0x66, 0x80, 0x81, 0x91]) {
      const e = new Sw3Error(code, 'read base info');
      expect(e.code).toBe(`idcard.sw3.${code.toString(16)}`);
      expect(e.exitCode).toBe(3);
      expect(e.message).toMatch(/[\u4e00-\u9fff]/);
      expect(e.message).toContain(SW3_MESSAGES.get(code)![1]);
    }
    expect(new Sw3Error(0x80, 'find').message).toContain('no card');
  });
});

/** A text block built by hand at the reference's offsets (independent of encodeText). */
function handText(fields: [number, string][]): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i += 2) t[i] = 0x20;
  for (const [o, v] of fields) Buffer.from(v, 'utf16le').forEach((b, i) => (t[o + i] = b));
  return t;
}

describe('base info', () => {
  const photo = seededBytes('p', 1024);

  it('parses a resident card built by hand at the reference offsets', () => {
    const text = handText([[0, '王小样'], [30, '2'], [32, '46'], [36, '20000229'], [52, '云南省德宏州芒市示例路9号'], [122, '11010519491231002X'], [158, '芒市公安局'], [188, '20100101'], [204, '长期']]);
    const data = Uint8Array.from([0x01, 0x00, 0x04, 0x00, ...text, ...photo]);
    const card = parseBaseInfo(data);
    expect(card).toMatchObject({
      cardType: 'resident', name: '王小样', sex: '女', sexCode: '2', nation: '德昂', nationCode: '46', birthDate: '2000-02-29',
      address: '云南省德宏州芒市示例路9号', idNumber: '11010519491231002X', issuer: '芒市公安局', validFrom: '2010-01-01', validTo: '长期', missing: [],
    });
    expect(card.photo).toEqual(photo);
    expect(card.photoSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.fingerprint).toBeUndefined();
  });

  it('reads the fingerprint block of 30 10 (LEN 09 0A)', () => {
    const c = loadCardFixture('resident-longterm.json');
    const fp = seededBytes('fp', 1024);
    const data = encodeBaseInfo(encodeText(c.content), c.photo, fp);
    expect(encodeReply(0x90, data).subarray(5, 7)).toEqual(hex('09 0A'));
    expect(encodeReply(0x90, encodeBaseInfo(encodeText(c.content), c.photo)).subarray(5, 7)).toEqual(hex('05 08'));
    expect(parseBaseInfo(data).fingerprint).toEqual(fp);
  });

  it('parses every fixture: resident (长期 and dated), J, I, Y', () => {
    const parse = (name: string) => {
      const c = loadCardFixture(name);
      return parseBaseInfo(encodeBaseInfo(encodeText(c.content), c.photo));
    };
    expect(parse('resident-longterm.json')).toMatchObject({ cardType: 'resident', validTo: '长期', nation: '汉', sex: '男' });
    expect(parse('resident-dated.json')).toMatchObject({ cardType: 'resident', validTo: '2040-01-15', nation: '德昂', sex: '女' });
    expect(parse('gat-j.json')).toMatchObject({ cardType: 'gat', layout: 'J', passNumber: 'H00000000', issueCount: '01', idNumber: '810000199506150025', missing: [] });
    expect(parse('foreigner-i.json')).toMatchObject({
      cardType: 'foreigner', layout: 'I', name: '马示范', englishName: 'SAMPLE, MAXIMILIAN EXAMPLE', idNumber: 'CAN310060010201', nationality: 'CAN',
      sexCode: '1', birthDate: '1960-01-02', validTo: '2026-03-01', missing: [],
    });
    expect(parse('foreigner-y.json')).toMatchObject({ cardType: 'foreigner', layout: 'Y', englishName: 'DEMO, ANNA TEST', idNumber: '931840198801010015', nationality: '840' });
  });

  it("reports an 'I' card's unconfirmed fields as missing instead of guessing", () => {
    const text = handText([[0, 'DOE, JANE'], [120, '?'], [122, 'USA110079010101'], [152, 'USA'], [220, 'garbage!'], [248, 'I']]);
    const card = parseBaseInfo(Uint8Array.from([1, 0, 4, 0, ...text, ...photo]));
    expect(card).toMatchObject({ name: 'DOE, JANE', englishName: 'DOE, JANE', idNumber: 'USA110079010101', nationality: 'USA' });
    expect(card.missing).toEqual(expect.arrayContaining(['sexCode', 'sex', 'birthDate', 'validFrom', 'validTo']));
    expect(card.birthDate).toBeUndefined();
  });

  it('refuses a wrong check digit, an unknown nation or sex, a bad date, an unknown type letter', () => {
    const base: [number, string][] = [[0, '王小样'], [30, '1'], [32, '01'], [36, '20000101'], [122, '11010519491231002X'], [188, '20100101'], [204, '长期']];
    const read = (over: [number, string][]) => () => parseBaseInfo(Uint8Array.from([1, 0, 4, 0, ...handText([...base, ...over]), ...photo]));
    expect(read([])).not.toThrow();
    expect(read([[122, '110105194912310021']])).toThrow(/check digit/);
    expect(read([[32, '57']])).toThrow(/nation/);
    expect(read([[30, '3']])).toThrow(/sex/);
    expect(read([[36, '20001301']])).toThrow(/birth/);
    expect(read([[248, 'Q']])).toThrow(/type letter/);
    try {
      read([[122, '110105194912310021']])();
    } catch (e) {
      expect((e as { code: string }).code).toBe('idcard.readFailed');
      expect((e as Error).message).not.toContain('11010519');
    }
  });

  it('refuses payloads whose lengths do not add up, as garbled', () => {
    const text = encodeText({ layout: 'resident', idNumber: '11010519491231002X' } as CardContent);
    expect(() => splitBaseInfo(Uint8Array.from([1, 0, 4, 0, ...text, ...photo.subarray(1)]))).toThrow(GarbledError);
    expect(() => splitBaseInfo(Uint8Array.from([2, 0, 4, 0, ...text, ...photo]))).toThrow(GarbledError);
    expect(() => splitBaseInfo(Uint8Array.of(1))).toThrow(GarbledError);
  });
});
