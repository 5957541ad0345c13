import { describe, expect, it } from 'vitest';
import { createLogger, levelFromEnv, MemorySink } from '../log.js';

const clock = () => new Date('2026-11-21T08:00:00.000Z');

describe('logger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const sink = new MemorySink();
    const log = createLogger({ sink, clock, level: 'debug' });
    log.info('card read', { reader: 'sim0', ms: 812 });
    expect(sink.lines).toEqual(['{"time":"2026-11-21T08:00:00.000Z","level":"info","msg":"card read","reader":"sim0","ms":812}\n']);
  });

  it('masks personal data in messages and fields', () => {
    const sink = new MemorySink();
    const log = createLogger({ sink, clock });
    log.warn('rejected 341602199001011234', { name: '张三', idNumber: '341602199001011234', phone: '13812345678' });
    const line = sink.lines.join('');
    expect(line).not.toContain('341602199001011234');
    expect(line).not.toContain('张三');
    expect(line).not.toContain('13812345678');
    expect(sink.records()[0]).toMatchObject({ msg: 'rejected 3416**********1234', name: '张*', phone: '138****5678' });
  });

  it('filters by level', () => {
    const sink = new MemorySink();
    const log = createLogger({ sink, clock, level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(sink.records().map((r) => r.msg)).toEqual(['c', 'd']);
    expect(log.isEnabled('info')).toBe(false);
  });

  it('binds fields in children without letting them overwrite the reserved keys', () => {
    const sink = new MemorySink();
    const log = createLogger({ sink, clock }).child({ component: 'drivers.idcard' }).child({ port: '/dev/ttyUSB0' });
    log.error('timeout', { level: 'bogus', msg: 'bogus' });
    expect(sink.records()[0]).toEqual({
      time: '2026-11-21T08:00:00.000Z',
      level: 'error',
      msg: 'timeout',
      component: 'drivers.idcard',
      port: '/dev/ttyUSB0',
      'field.level': 'bogus',
      'field.msg': 'bogus',
    });
  });

  it('never throws when the sink fails', () => {
    const log = createLogger({ sink: { write: () => { throw new Error('disk full'); } } });
    expect(() => log.error('x')).not.toThrow();
  });

  it('takes its level from TONGBAN_LOG_LEVEL', () => {
    expect(levelFromEnv({ TONGBAN_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(levelFromEnv({ TONGBAN_LOG_LEVEL: 'loud' })).toBe('info');
    expect(levelFromEnv({})).toBe('info');
  });
});
