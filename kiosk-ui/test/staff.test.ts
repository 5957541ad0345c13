/**
 * Staff mode: the hidden gesture (five taps on the top-left corner) and the PIN on the keypad — a wrong
 * PIN refused in plain words, the demo's PIN let in; device health and the receipt printer's paper as the
 * simulators report them; the sync (an external `tongban endpoint` process): its backlog while it is down,
 * a quarantined case (the endpoint holds other content under the case's id) retried from the screen; a
 * test print that reaches the simulated printer; 返回办理 back to the citizen's screen untouched, and
 * 结束当前会话 clearing the citizen's session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { exampleCase } from '../../agent/cases/example.js';
import { canonicalCaseContent, caseContentHash } from '../../agent/cases/content-hash.js';
import { draftCase, parseCaseInput } from '../../agent/cases/input.js';
import { demoCatalog } from '../../agent/catalog/catalog.js';
import { openEndpointStore } from '../../sync/endpoint/store/endpoint-store.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

const PIN = '246810'; // the demo's staff PIN (kiosk-ui/README.md)
/** Routed to the external endpoint (every region goes there). */
const ITEM = '341600-YB-0001';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk({ endpoint: 'external' });
});
afterAll(async () => {
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';

function exampleOf(itemCode: string): Record<string, unknown> {
  const item = demoCatalog().items.find((i) => i.code === itemCode)!;
  return exampleCase(item) as Record<string, unknown>;
}

async function gesture(): Promise<void> {
  const corner = k.page.getByTestId('staff-corner');
  for (let i = 0; i < 5; i++) await corner.tap();
  await k.page.getByTestId('staff-pin').waitFor();
}

async function typePin(pin: string): Promise<void> {
  for (const d of pin) await k.tap(`staff-key-${d}`);
  await k.tap('staff-pin-ok');
}

describe('staff mode', () => {
  it('four taps on the corner do nothing; five open the PIN keypad', async () => {
    const corner = k.page.getByTestId('staff-corner');
    for (let i = 0; i < 4; i++) await corner.tap();
    expect(await k.page.getByTestId('staff-pin').count()).toBe(0);
    await corner.tap();
    await k.page.getByTestId('staff-pin').waitFor();
    await k.screenshot('pin');
    await k.checkA11y('the PIN keypad');
    await k.tap('staff-pin-cancel');
    await k.page.getByTestId('staff-pin').waitFor({ state: 'detached' });
  });

  it('a wrong PIN is refused in plain words and the keypad stays; the right one opens staff mode over the citizen’s screen', async () => {
    // a citizen is choosing an item
    await k.tap('start-items');
    await k.waitForScreen('items');
    await gesture();
    await typePin('1111');
    await k.page.getByTestId('staff-pin-error').waitFor();
    expect(await text('staff-pin-error')).toContain('密码不正确');
    expect(await k.page.getByTestId('screen-staff').count()).toBe(0);
    await k.screenshot('pin-wrong');
    await typePin(PIN);
    await k.waitForScreen('staff');
    await k.screenshot('staff');
    await k.checkA11y('staff');
    expect(await k.missingGlyphs()).toEqual([]);
  });

  it('device health and the receipt printer’s paper as the simulators report them', async () => {
    const devices = (await k.api<{ devices: { id: string; state: string }[] }>('GET', '/api/devices')).json.devices;
    expect(devices.map((d) => d.id).sort()).toEqual(expect.arrayContaining(['idcard', 'receipt', 'scanner']));
    for (const d of devices) {
      await expect.poll(() => k.page.getByTestId(`staff-device-${d.id}`).getAttribute('data-state'), { message: d.id }).toBe(d.state);
    }
    await expect.poll(() => k.page.getByTestId('staff-device-receipt').getAttribute('data-state')).toBe('online');
    await expect.poll(() => k.page.getByTestId('staff-paper-receipt').getAttribute('data-paper')).toBe('ok');
    await k.paper('nearEnd');
    await expect.poll(() => k.page.getByTestId('staff-paper-receipt').getAttribute('data-paper'), { timeout: 15_000 }).toBe('nearEnd');
    expect(await text('staff-paper-receipt')).toContain('纸张将尽');
    await k.paper('out');
    await expect.poll(() => k.page.getByTestId('staff-paper-receipt').getAttribute('data-paper'), { timeout: 15_000 }).toBe('out');
    expect(await text('staff-paper-receipt')).toContain('缺纸');
    await k.screenshot('staff-paper-out');
    await k.paper('ok');
    await expect.poll(() => k.page.getByTestId('staff-paper-receipt').getAttribute('data-paper'), { timeout: 15_000 }).toBe('ok');
  });

  it('打印测试页 reaches the simulated receipt printer', async () => {
    const before = (await k.receipts()).length;
    await k.tap('staff-test-print');
    await k.page.getByTestId('staff-result').waitFor({ timeout: 15_000 });
    expect(await text('staff-result')).toContain('测试页已打印');
    const receipts = await until('the test slip printed', async () => {
      const r = await k.receipts();
      return r.length > before ? r : undefined;
    });
    expect(receipts).toHaveLength(before + 1);
    expect(receipts.at(-1)!.lines.join('\n')).toContain('测试');
  });

  it('the sync: connected with nothing waiting; the endpoint down: not connected and the backlog shown', async () => {
    await expect.poll(() => k.page.getByTestId('staff-endpoint').getAttribute('data-connected'), { timeout: 20_000 }).toBe('true');
    expect(await text('staff-backlog')).toBe('0');
    expect(await text('staff-quarantined')).toBe('0');
    await k.endpoint!.stop();
    await expect.poll(() => k.page.getByTestId('staff-endpoint').getAttribute('data-connected'), { timeout: 20_000 }).toBe('false');
    for (let i = 0; i < 2; i++) expect((await k.api('POST', '/api/cases', exampleOf(ITEM))).status).toBe(201);
    await expect.poll(() => text('staff-backlog'), { timeout: 15_000 }).toBe('2');
    await k.screenshot('staff-endpoint-down');
    await k.endpoint!.start();
    await expect.poll(() => k.page.getByTestId('staff-endpoint').getAttribute('data-connected'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => text('staff-backlog'), { timeout: 30_000 }).toBe('0');
  });

  it('a case the endpoint refuses for good is shown quarantined; 重新提交 sends it again (refused again, still kept)', async () => {
    // Another kiosk's case committed at the endpoint under the id this kiosk will use, with other content.
    const id = randomUUID();
    const other = { ...exampleOf(ITEM), id } as Record<string, any>;
    other.applicant = { ...other.applicant, name: '李另人' };
    const draft = draftCase(parseCaseInput(other, demoCatalog()), demoCatalog().version, id, new Date().toISOString());
    const store = openEndpointStore({ dataDir: k.endpoint!.dataDir, log: silentLogger, owner: false });
    try {
      store.enroll(store.createEnrollToken('other-kiosk'), 'test');
      const r = store.commitBatch('other-kiosk', [{ seq: 1, caseId: id, region: '341600', kind: 'case.submitted', payload: { serial: 'X1', contentHash: caseContentHash(draft), content: canonicalCaseContent(draft) as never } }], Date.now());
      expect(r).toMatchObject([{ outcome: 'committed' }]);
    } finally {
      store.close();
    }
    expect((await k.api('POST', '/api/cases', { ...exampleOf(ITEM), id })).status).toBe(201);
    await expect.poll(() => text('staff-quarantined'), { timeout: 30_000 }).toBe('1');
    const seq = ((await k.api<{ quarantined: { seq: number; caseId: string }[] }>('GET', '/api/sync')).json.quarantined.find((q) => q.caseId === id))!.seq;
    const row = k.page.getByTestId(`staff-quarantine-${seq}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('case.conflict');
    await k.screenshot('staff-quarantine');
    await k.checkA11y('staff with a quarantined case');
    // The agent's log (its stderr, JSON lines): each time the entry is quarantined.
    const quarantinings = (): number => k.agent.stderr().split('\n').filter((l) => l.includes('outbox entry quarantined') && l.includes(`"seq":${seq}`)).length;
    expect(quarantinings()).toBe(1);
    await k.tap(`staff-quarantine-retry-${seq}`);
    await k.page.getByTestId('staff-result').waitFor();
    expect(await text('staff-result')).toContain('已重新加入上传队列');
    // sent to the endpoint again, refused again: quarantined again, never dropped
    await expect.poll(quarantinings, { timeout: 30_000 }).toBe(2);
    await expect.poll(async () => (await k.api<{ quarantined: { caseId: string }[] }>('GET', '/api/sync')).json.quarantined.filter((q) => q.caseId === id).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => text('staff-quarantined'), { timeout: 15_000 }).toBe('1');
  });

  it('返回办理 goes back to the citizen’s screen as it was', async () => {
    await k.tap('staff-exit');
    await k.waitForScreen('items');
  });

  it('结束当前会话 clears the citizen’s session: the start screen', async () => {
    await k.tap('item-' + '341600-SB-0003');
    await k.waitForScreen('identify');
    await k.insertCard();
    await k.waitForScreen('form');
    await k.removeCard();
    await gesture();
    await typePin(PIN);
    await k.waitForScreen('staff');
    await k.tap('staff-end-session');
    await k.waitForScreen('start');
    expect(await k.page.evaluate(() => document.body.innerText)).not.toContain('张示例');
    expect((await k.browserStorage()).sessionStorage).toEqual({ 'tongban.token': k.token });
  });
});
