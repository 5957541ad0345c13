import { describe, expect, it } from 'vitest';
import { DEMO_STAFF_PIN, parseConfig } from '../config/config.js';
import { configProblem as problem } from './helpers/config-problem.js';

describe('configuration: ui (the kiosk pages)', () => {
  it('defaults: 120 s idle, 20 s countdown, the demo PIN in demo mode, none with real devices', () => {
    expect(parseConfig({}).ui).toEqual({ idleSeconds: 120, countdownSeconds: 20, staffPin: DEMO_STAFF_PIN, kioskName: '政务服务自助终端' });
    expect(parseConfig({ demo: { enabled: false } }).ui).toEqual({ idleSeconds: 120, countdownSeconds: 20, kioskName: '政务服务自助终端' });
  });

  it('takes what is set', () => {
    const ui = { idleSeconds: 3, countdownSeconds: 2, staffPin: '0042', kioskName: '合肥市政务服务中心 3 号机' };
    expect(parseConfig({ ui }).ui).toEqual(ui);
    expect(parseConfig({ demo: { enabled: false }, ui: { staffPin: '12345678' } }).ui.staffPin).toBe('12345678');
  });

  it('refuses a mistake naming the key path', () => {
    expect(problem({ ui: { idleSeconds: 0 } })).toBe('configuration: ui.idleSeconds must be from 1 to 3600');
    expect(problem({ ui: { countdownSeconds: 2.5 } })).toBe('configuration: ui.countdownSeconds must be a whole number');
    expect(problem({ ui: { staffPin: 246810 } })).toBe('configuration: ui.staffPin must be a string, not a number');
    expect(problem({ ui: { staffPin: '12a4' } })).toBe('configuration: ui.staffPin must be 4 to 8 digits');
    expect(problem({ ui: { staffPin: '123' } })).toBe('configuration: ui.staffPin must be 4 to 8 digits');
    expect(problem({ ui: { staffPin: '123456789' } })).toBe('configuration: ui.staffPin is longer than 8 characters');
    expect(problem({ ui: { idle: 5 } })).toMatch(/^configuration: ui\.idle is not a known key/);
    expect(problem({ ui: [] })).toMatch(/^configuration: ui must be/);
  });
});
