import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, EVENTS, UNSOLICITED, checkCommand, checkPayload, COMMANDS, type CommandName, type Message } from '../manager/messages.js';
import { DeviceManager } from '../manager/manager.js';
import { CheckError } from '../manager/check.js';

function cmd(name: string, requestId: unknown = 1, payload: unknown = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { header: { name, requestId, type: 'command', version: '1.0', ...extra }, payload };
}

function refused(raw: unknown, limits = DEFAULT_LIMITS): { requestId: number; description: string } {
  const r = checkCommand(raw, limits);
  if (r.ok) throw new Error('expected a refusal');
  expect(r.reply.header.type).toBe('acknowledge');
  expect(r.reply.header.status).toBe('invalidMessage');
  return { requestId: r.reply.header.requestId, description: r.reply.header.errorDescription ?? '' };
}

describe('checkCommand', () => {
  it('accepts a good command as an object, as JSON text and as UTF-8 bytes', () => {
    const m = cmd('IdentityCard.ReadCard', 7, {}, { timeout: 30000 });
    for (const raw of [m, JSON.stringify(m), new TextEncoder().encode(JSON.stringify(m))]) {
      const r = checkCommand(raw);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.command).toEqual({ name: 'IdentityCard.ReadCard', requestId: 7, timeoutMs: 30000, payload: {} });
    }
  });

  it('treats an absent payload as empty and an absent timeout as none', () => {
    const r = checkCommand({ header: { name: 'Common.Status', requestId: 1, type: 'command', version: '1.0' } });
    expect(r.ok && r.command).toMatchObject({ timeoutMs: 0, payload: {} });
  });

  it.each([
    ['not JSON', '{"header":', 0, 'not JSON'],
    ['null', 'null', 0, 'must be an object'],
    ['an array', [], 0, 'must be an object'],
    ['a number', 42, 0, 'must be an object'],
    ['no header', { payload: {} }, 0, 'header is missing'],
    ['header a string', { header: 'x' }, 0, 'header must be an object'],
    ['negative requestId', cmd('Common.Status', -5), 0, 'header.requestId must be from 1'],
    ['zero requestId', cmd('Common.Status', 0), 0, 'header.requestId must be from 1'],
    ['fractional requestId', cmd('Common.Status', 1.5), 0, 'header.requestId must be a whole number'],
    ['string requestId', cmd('Common.Status', '3'), 0, 'header.requestId must be a number'],
    ['huge requestId', cmd('Common.Status', 2 ** 60), 0, 'header.requestId must be from 1'],
    ['missing name', { header: { requestId: 3, type: 'command', version: '1.0' } }, 3, 'header.name is missing'],
    ['name a number', cmd(12 as unknown as string, 3), 3, 'header.name must be a string'],
    ['unknown command', cmd('Printer.Explode', 3), 3, 'header.name is not a known command'],
    ['wrong type', cmd('Common.Status', 3, {}, { type: 'completion' }), 3, 'header.type must be "command"'],
    ['bad version', cmd('Common.Status', 3, {}, { version: 'one' }), 3, 'header.version must be like "1.0"'],
    ['negative timeout', cmd('Common.Status', 3, {}, { timeout: -1 }), 3, 'header.timeout must be from 0'],
    ['string timeout', cmd('Common.Status', 3, {}, { timeout: '10' }), 3, 'header.timeout must be a number'],
    ['reply fields in a command', cmd('Common.Status', 3, {}, { completionCode: 'success' }), 3, 'header.completionCode is not a known key'],
    ['extra top-level key', { ...cmd('Common.Status', 3), extra: 1 }, 3, 'extra is not a known key'],
    ['payload an array', cmd('Common.Status', 3, [1]), 3, 'payload must be an object'],
    ['payload a string', cmd('Common.Status', 3, 'x'), 3, 'payload must be an object'],
  ])('refuses %s with invalidMessage', (_what, raw, requestId, description) => {
    const r = refused(raw);
    expect(r.requestId).toBe(requestId);
    expect(r.description).toContain(description);
  });

  it('refuses a message larger than the bound before parsing it', () => {
    const big = JSON.stringify(cmd('Printer.PrintRaw', 1, { data: 'A'.repeat(2000) }));
    const r = refused(big, { ...DEFAULT_LIMITS, maxMessageBytes: 1000 });
    expect(r.description).toContain('larger than 1000 bytes');
    // counted in UTF-8 bytes, not characters
    const withHan = JSON.stringify({ ...cmd('Printer.PrintForm', 1, { receipt: { title: '通办'.repeat(100) } }) });
    expect(checkCommand(withHan, { ...DEFAULT_LIMITS, maxMessageBytes: withHan.length + 10 }).ok).toBe(false);
  });

  it('survives deeply nested and prototype-polluting input', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10000; i++) deep = { a: deep };
    const r = checkCommand(cmd('Common.Status', 4, deep));
    expect(r.ok).toBe(true); // the header is fine; the payload is checked next and fails with its path
    if (r.ok) expect(() => checkPayload(r.command.name, r.command.payload)).toThrow('payload.a is not a known key');
    expect(refused('['.repeat(1_000_000)).description).toBe('message is not JSON');
    const polluted = JSON.parse('{"header":{"name":"Common.Status","requestId":5,"type":"command","version":"1.0","__proto__":{"x":1}}}');
    expect(refused(polluted).description).toContain('__proto__ is not a known key');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('never throws on random input', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(rnd() * 200));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
      expect(() => checkCommand(bytes)).not.toThrow();
      expect(() => checkCommand(Buffer.from(bytes).toString('latin1'))).not.toThrow();
    }
  });
});

describe('checkPayload', () => {
  it('checks each command payload, naming the path', () => {
    expect(checkPayload('BarcodeReader.Read', { count: 3 })).toEqual({ count: 3 });
    expect(() => checkPayload('BarcodeReader.Read', { count: 0 })).toThrow('payload.count must be from 1 to 100');
    expect(() => checkPayload('IdentityCard.ReadCard', { fingerprint: 'yes' })).toThrow('payload.fingerprint must be true or false');
    expect(() => checkPayload('Common.Status', { x: 1 })).toThrow('payload.x is not a known key');
    expect(() => checkPayload('Common.Cancel', { requestIds: [1, -2] })).toThrow('payload.requestIds[1] must be from 1');
    expect(() => checkPayload('Printer.PrintForm', {})).toThrow('payload.receipt is missing');
    expect(() => checkPayload('Printer.PrintForm', { receipt: { title: 'ok', lines: ['ok', 5] } })).toThrow('payload.receipt: "lines[1]" must be a string');
    expect(() => checkPayload('Printer.PrintForm', { receipt: { title: 'ok', colour: 'red' } })).toThrow('payload.receipt: unknown field "colour"');
    expect(checkPayload('Printer.PrintForm', { receipt: { title: '受理回执', lines: ['a'], rows: [{ key: '事项', value: '异地就医备案' }] } })).toMatchObject({ receipt: { title: '受理回执' } });
  });

  it('decodes base64 binary data and refuses bad or oversized base64', () => {
    const out = checkPayload('Printer.PrintRaw', { data: Buffer.from([0x1b, 0x40, 0x0a]).toString('base64') });
    expect([...(out.data as Uint8Array)]).toEqual([0x1b, 0x40, 0x0a]);
    expect(() => checkPayload('Printer.PrintRaw', { data: 'not base64!' })).toThrow('payload.data is not valid base64');
    expect(() => checkPayload('Printer.PrintRaw', { data: 123 })).toThrow('payload.data must be a base64 string');
    expect(() => checkPayload('Printer.PrintRaw', { data: '' })).toThrow('payload.data is empty');
    expect(() => checkPayload('Printer.PrintRaw', { data: 'A'.repeat((1 << 20) * 2) })).toThrow('holds more than');
    expect(() => checkPayload('DocumentPrinter.PrintPdf', { data: 'JVBERi0=', copies: 2 })).toThrow('payload.copies is not a known key');
  });

  it('has a payload check for every command in the catalogue', () => {
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      try {
        checkPayload(name, {});
      } catch (err) {
        expect(err).toBeInstanceOf(CheckError); // a missing required field, named
      }
    }
  });
});

describe('the catalogue in drivers/manager/README.md', () => {
  it('lists every command, event and unsolicited message', () => {
    const readme = readFileSync(new URL('../manager/README.md', import.meta.url), 'utf8');
    for (const name of [...Object.keys(COMMANDS), ...Object.keys(EVENTS), ...Object.keys(UNSOLICITED)]) expect(readme).toContain(`\`${name}\``);
  });
});

describe('DeviceManager.submit with hostile input (no devices needed)', () => {
  it('answers every message with one acknowledge and, when accepted, exactly one completion; never throws', async () => {
    const manager = new DeviceManager({ devices: [], factories: {}, limits: { maxMessageBytes: 4096 } });
    await manager.start();
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const names = [...Object.keys(COMMANDS), 'Common.Nope', '', 'x'.repeat(100)];
    const values = [0, -1, 1.5, 2 ** 53, 'x', null, [], {}, true, undefined];
    const inputs: unknown[] = [];
    for (let i = 0; i < 500; i++) {
      const header: Record<string, unknown> = { name: pick(names), requestId: rnd() < 0.8 ? i + 1 : pick(values), type: rnd() < 0.9 ? 'command' : pick(values), version: '1.0' };
      if (rnd() < 0.2) header.timeout = pick([0, 10, -5, 'x']);
      const payload = rnd() < 0.8 ? {} : pick(values);
      inputs.push(rnd() < 0.5 ? JSON.stringify({ header, payload }) : { header, payload });
    }
    inputs.push('x'.repeat(5000), new Uint8Array(10).fill(0xff), Symbol('s'), () => 1, BigInt(1));
    for (const raw of inputs) {
      const got: Message[] = [];
      expect(() => manager.submit(raw, (m) => got.push(m))).not.toThrow();
      await new Promise((r) => setImmediate(r));
      expect(got[0]!.header.type).toBe('acknowledge');
      const completions = got.filter((m) => m.header.type === 'completion');
      expect(completions).toHaveLength(got[0]!.header.status ? 0 : 1);
      expect(got.filter((m) => m.header.type === 'acknowledge')).toHaveLength(1);
    }
    await manager.close();
  });
});
