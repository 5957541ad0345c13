/**
 * Offline: the kiosk syncs to an external `tongban endpoint` process. With it stopped, a case applied
 * for through the screens is still accepted — the done screen and the printed receipt say
 * 已保存，网络恢复后自动提交 — and the endpoint has nothing of it. With the endpoint started again on the
 * same port, the case reaches it by itself exactly once, with the content hash the kiosk reports and the
 * values entered on the screens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTongban } from './helpers/processes.js';
import { applyForCertificateToReview, CERTIFICATE_ITEM as ITEM, CERTIFICATE_MONTHS as MONTHS, submitReview } from './helpers/flows.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk({ endpoint: 'external' });
});
afterAll(async () => {
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';
const connected = async (): Promise<boolean> => (await k.api<{ endpoints: { connected: boolean }[] }>('GET', '/api/sync')).json.endpoints.some((e) => e.connected);

async function applyThroughTheScreens(): Promise<{ id: string; serial: string; contentHash: string; status: string }> {
  await applyForCertificateToReview(k);
  await k.screenshot('review');
  const mine = await submitReview(k);
  expect(mine.map((c) => c.itemCode)).toEqual([ITEM]);
  return (await k.api('GET', `/api/cases/${mine[0]!.id}`)).json;
}

describe('offline: the endpoint down, then back', () => {
  let submitted: { id: string; serial: string; contentHash: string; status: string };

  it('with the endpoint stopped the case is accepted: 已保存，网络恢复后自动提交 on the screen and on the receipt', async () => {
    await until('the kiosk connected to the endpoint', async () => ((await connected()) ? true : undefined), 30_000);
    await k.endpoint!.stop();
    await until('the kiosk sees the endpoint gone', async () => ((await connected()) ? undefined : true), 30_000);
    const receiptsBefore = (await k.receipts()).length;

    submitted = await applyThroughTheScreens();
    await k.page.getByTestId('done-queued').waitFor();
    expect(await text('done-status')).toContain('已保存，网络恢复后自动提交');
    expect((await text('done-serial')).replace(/\s/g, '')).toBe(submitted.serial);
    await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
    await k.screenshot('done-offline');
    await k.checkA11y('the done screen, offline');

    const receipts = await k.receipts();
    expect(receipts).toHaveLength(receiptsBefore + 1);
    const paper = receipts.at(-1)!.lines.join('').replace(/\s+/g, '');
    expect(paper).toContain(submitted.serial);
    expect(paper).toContain('网络恢复后自动提交');
    expect(receipts.at(-1)!.qr).toEqual([`TBC1:${submitted.id.toUpperCase()}:${submitted.contentHash.toUpperCase()}`]);

    // kept at the kiosk, not at the endpoint
    expect(submitted.status).toBe('submitted');
    expect((await k.endpoint!.cases()).map((c) => c.id)).not.toContain(submitted.id);
    const backlog = (await k.api<{ endpoints: { backlog: number }[] }>('GET', '/api/sync')).json.endpoints[0]!.backlog;
    expect(backlog).toBeGreaterThanOrEqual(1);
  });

  it('the endpoint started again: the case reaches it by itself exactly once, as entered', async () => {
    await k.endpoint!.start();
    // (An item the kiosk finishes itself stays `submitted` at the kiosk once uploaded: the endpoint's list is the proof.)
    await until('the case at the endpoint', async () => ((await k.endpoint!.cases()).some((c) => c.id === submitted.id) ? true : undefined), 60_000);
    await until('the backlog drained', async () => ((await k.api<{ endpoints: { backlog: number }[] }>('GET', '/api/sync')).json.endpoints[0]!.backlog === 0 ? true : undefined), 30_000);
    const atEndpoint = (await k.endpoint!.cases()).filter((c) => c.id === submitted.id);
    expect(atEndpoint).toHaveLength(1);
    expect(atEndpoint[0]).toMatchObject({ itemCode: ITEM, contentHash: submitted.contentHash, kioskId: 'kiosk-ui-test' });

    // what the endpoint holds is what was entered on the screens
    const shown = await runTongban(['endpoint', 'show', '--data', k.endpoint!.dataDir, submitted.id, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const content = JSON.parse(shown.stdout) as { content: { form: Record<string, unknown>; applicant: { idNumber: string } } };
    expect(Object.values(content.content.form)).toEqual(expect.arrayContaining(MONTHS));
    expect(content.content.applicant.idNumber).toBe('11010119900307002X');

    // and stays once: the whole endpoint holds one case of this kiosk's id
    expect((await k.endpoint!.cases()).filter((c) => c.id === submitted.id)).toHaveLength(1);
    await k.tap('done-finish');
    await k.waitForScreen('start');
  });

  it('no script error on the way', () => {
    expect(k.pageErrors).toEqual([]);
  });
});
