/**
 * 提交成功 and 当场出证 end to end: a real `tongban start` (demo) and a real Chromium. The demo ID card ->
 * 社会保险参保缴费证明开具 -> the form typed on the keypad and a choice -> review -> submit -> the done
 * screen: the serial large, the receipt printed by itself (decoded from the simulated printer: the serial
 * and the TBC1 QR of the case). A second case with the receipt printer out of paper: a plain fault with
 * the serial still on screen, 重新打印回执 refused again, the paper back: printed once, and the screen
 * says so. 当场出证: issued and sealed, the preview shows the sealed pages, the A4 printer out of paper is
 * explained, then the print: the PDF the simulated A4 printer got is the sealed certificate and verifies.
 * A certificate issued already is shown, not refused. With the endpoint down, the done screen and the
 * receipt both say the case is kept and goes by itself later; with the agent down, issuing says so and
 * 重新开具 works once it is back. Screenshots and axe on each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoPki } from '../../certs/demo-pki.js';
import { verifyPdf } from '../../certs/pdf/verify.js';
import { sm3Hex } from '../../certs/sm3.js';
import { AGENT_READY } from './helpers/browser.js';
import { startDaemon, type Daemon } from './helpers/processes.js';
import { applyForCertificateToReview, CERTIFICATE_ITEM as ITEM, submitReview } from './helpers/flows.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

/** The kiosk the test under way drives (each describe has its own). */
let k: Kiosk;
let first: Kiosk | undefined;

beforeAll(async () => {
  k = first = await startKiosk({ endpoint: 'external' });
}, 120_000);

afterAll(async () => {
  await first?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';

/** The whole application through the screens, as a citizen does it, up to the done screen. */
async function applyThroughTheScreens(): Promise<{ id: string; serial: string; contentHash: string; status: string }> {
  await applyForCertificateToReview(k, { choice: '子女入学' });
  const mine = (await submitReview(k)).find((c) => c.itemCode === ITEM);
  expect(mine, 'the submitted case').toBeDefined();
  return (await k.api('GET', `/api/cases/${mine!.id}`)).json;
}

describe('done + certificate', () => {
  it('提交成功: the serial large on screen, the receipt printed by itself with the serial and the case QR', async () => {
    const receiptsBefore = (await k.receipts()).length;
    const c = await applyThroughTheScreens();
    expect((await text('done-serial')).replace(/\s/g, '')).toBe(c.serial);
    await k.page.getByTestId('done-receipt-printed').waitFor();
    const receipts = await k.receipts();
    expect(receipts.length).toBe(receiptsBefore + 1);
    const receipt = receipts.at(-1)!;
    expect(receipt.lines.join('').replace(/\s+/g, '')).toContain(c.serial);
    expect(receipt.qr).toEqual([`TBC1:${c.id.toUpperCase()}:${c.contentHash.toUpperCase()}`]);
    // online: nothing about the network, on screen or on paper
    expect(await k.page.getByTestId('done-queued').count()).toBe(0);
    expect(receipt.lines.join('')).not.toContain('网络');
    await k.page.getByTestId('done-certificate').waitFor();
    await k.screenshot('done');
    await k.checkA11y('done');
    // 适老模式: the serial larger still, the screen as accessible
    const serialSize = async (): Promise<number> => parseFloat(await k.page.getByTestId('done-serial').evaluate((e) => getComputedStyle(e).fontSize));
    const normal = await serialSize();
    await k.tap('nav-elder');
    expect(await serialSize()).toBeGreaterThan(normal);
    await k.screenshot('done-elder');
    await k.checkA11y('done-elder');
    await k.tap('nav-elder');

    // 当场出证: issued at once, the sealed page previewed
    await k.tap('done-certificate');
    await k.waitForScreen('certificate');
    await k.page.getByTestId('cert-issued').waitFor({ timeout: 30_000 });
    const documentId = await text('cert-document-id');
    expect(documentId).toBe(`SB-${c.serial}`);
    const preview = k.page.getByTestId('cert-preview');
    await preview.waitFor({ timeout: 30_000 });
    const size = await preview.evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, h: img.naturalHeight, src: img.src, complete: img.complete }));
    expect(size).toMatchObject({ w: 900, h: Math.round((900 * 297) / 210), complete: true });
    expect(size.src.startsWith('blob:')).toBe(true);
    expect(await text('cert-page')).toBe('第1页，共2页');
    await k.screenshot('certificate-preview');
    await k.checkA11y('certificate-preview');
    await k.tap('cert-page-next');
    await until('page 2 shown', async () => ((await text('cert-page')) === '第2页，共2页' ? true : undefined), 15_000);
    await k.tap('cert-page-prev');

    // the A4 printer out of paper: explained, the certificate kept; paper back, printed once
    await k.api('PUT', '/api/demo/paper', { paper: 'out', printer: 'a4' });
    const printedBefore = (await k.api('GET', '/api/demo/documents')).json.documents.length as number;
    await k.tap('cert-print');
    await k.page.getByTestId('fault').waitFor({ timeout: 30_000 });
    expect(await text('fault')).toContain('A4打印机缺纸，请联系工作人员添加纸张后点“重新打印”。证明已开具并保存在本机，不会丢失。');
    await k.screenshot('certificate-paper-out');
    await k.checkA11y('certificate-paper-out');
    await k.api('PUT', '/api/demo/paper', { paper: 'ok', printer: 'a4' });
    await k.tap('fault-retry');
    await k.page.getByTestId('cert-printed').waitFor({ timeout: 30_000 });
    const printed = (await k.api('GET', '/api/demo/documents')).json.documents as { sm3: string; path: string; title: string }[];
    expect(printed.length).toBe(printedBefore + 1);
    const pdf = new Uint8Array(readFileSync(printed.at(-1)!.path));
    const issued = (await k.api('GET', `/api/cases/${c.id}`)).json;
    expect(issued.status).toBe('completed');
    expect(sm3Hex(pdf)).toBe(issued.results[0].sm3);
    expect(verifyPdf(pdf, { trusted: [createDemoPki().root.cert], at: new Date() }).valid).toBe(true);
    await k.screenshot('certificate-printed');
    await k.checkA11y('certificate-printed');

    // 完成: back to the start, nothing of the citizen's left on the page
    await k.tap('cert-finish');
    await k.waitForScreen('start');
    expect(await k.page.locator('img[src^="blob:"]').count()).toBe(0);
  }, 180_000);

  it('the receipt printer out of paper: a plain fault, the serial on screen to write down; the paper back, the kept receipt prints once and the screen says so', async () => {
    await k.paper('out');
    await until('the receipt printer out of paper', async () => ((await k.api('GET', '/api/devices/receipt')).json.device?.paper === 'out' ? true : undefined), 15_000);
    const before = (await k.receipts()).length;
    const c = await applyThroughTheScreens();
    await k.page.getByTestId('fault').waitFor({ timeout: 30_000 });
    expect(await text('fault')).toContain('打印机缺纸，请联系工作人员添加纸张。您的办件已保存，不会丢失。请先记下屏幕上的申办流水号。');
    expect((await text('done-serial')).replace(/\s/g, '')).toBe(c.serial);
    await k.screenshot('done-paper-out');
    await k.checkA11y('done-paper-out');
    // 重新打印回执 while the paper is still out: refused again, said again
    await k.tap('fault-retry');
    await k.page.getByTestId('fault').waitFor({ timeout: 30_000 });
    const jobs = (await k.api('GET', '/api/print-jobs')).json.jobs as { caseId: string; attempts: number }[];
    expect(jobs.find((j) => j.caseId === c.id)?.attempts).toBe(2);
    expect((await k.receipts()).length).toBe(before);
    // Paper added: the agent prints the kept receipt by itself, and the screen notices it.
    await k.paper('ok');
    await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
    const after = await k.receipts();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.lines.join('').replace(/\s+/g, '')).toContain(c.serial);
    await k.tap('done-finish');
    await k.waitForScreen('start');
  }, 180_000);

  it('a certificate issued already (an answer lost on the way): 当场出证 shows that one, nothing issued twice', async () => {
    const c = await applyThroughTheScreens();
    await k.page.getByTestId('done-certificate').waitFor();
    const issuedFirst = await k.api('POST', `/api/cases/${c.id}/issue`, {});
    expect(issuedFirst.status).toBe(201);
    await k.tap('done-certificate');
    await k.page.getByTestId('cert-issued').waitFor({ timeout: 30_000 });
    expect(await text('cert-document-id')).toBe(issuedFirst.json.documentId);
    expect(await k.page.getByTestId('fault').count()).toBe(0);
    expect((await k.api('GET', `/api/cases/${c.id}`)).json.results).toHaveLength(1);
    await k.tap('cert-finish');
    await k.waitForScreen('start');
  }, 180_000);

  it('the endpoint down: 已保存，网络恢复后自动提交 on the screen and on the receipt', async () => {
    await k.endpoint!.stop();
    await until('the sync disconnected', async () => ((await k.api('GET', '/api/sync')).json.endpoints.some((e: { connected: boolean }) => e.connected) ? undefined : true), 30_000);
    const c = await applyThroughTheScreens();
    expect(await text('done-status')).toContain('已保存，网络恢复后自动提交');
    await k.page.getByTestId('done-queued').waitFor();
    await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
    const receipt = (await k.receipts()).at(-1)!;
    const paper = receipt.lines.join('').replace(/\s+/g, '');
    expect(paper).toContain(c.serial);
    expect(paper).toContain('网络暂时中断，本件已保存，网络恢复后自动提交。');
    await k.screenshot('done-offline');
    await k.checkA11y('done-offline');
    await k.endpoint!.start();
    await k.tap('done-finish');
    await k.waitForScreen('start');
  }, 180_000);
});

describe('当场出证 with the agent not answering', () => {
  let k2: Kiosk;
  let restarted: Daemon | undefined;
  beforeAll(async () => {
    k2 = await startKiosk({ name: 'done-certificate-agent-down' });
  }, 120_000);
  afterAll(async () => {
    await restarted?.stop();
    await k2?.stop();
  });

  it('issuing fails with a plain fault and 重新开具; with the agent back, the retry issues it and the case is kept', async () => {
    k = k2;
    const c = await applyThroughTheScreens();
    await k.page.getByTestId('done-receipt-printed').waitFor({ timeout: 30_000 });
    await k.page.getByTestId('done-certificate').waitFor();
    const port = new URL(k.url).port;
    await k.agent.stop();
    await k.tap('done-certificate');
    await k.waitForScreen('certificate');
    await k.page.getByTestId('fault').waitFor({ timeout: 30_000 });
    expect(await text('fault')).toContain('终端服务暂时没有响应，证明没有开具。请稍候片刻点“重新开具”');
    expect(await text('fault')).toContain('您的办件已保存，不会丢失');
    expect(await text('cert-serial')).toBe(`申办流水号：${c.serial}`);
    await k.screenshot('certificate-agent-down');
    await k.checkA11y('certificate-agent-down');
    restarted = await startDaemon(['start', '--data', k.dataDir, '--port', port], AGENT_READY);
    await k.tap('fault-retry');
    await k.page.getByTestId('cert-issued').waitFor({ timeout: 30_000 });
    expect(await text('cert-document-id')).toBe(`SB-${c.serial}`);
    await k.page.getByTestId('cert-preview').waitFor({ timeout: 30_000 });
    expect((await k.api('GET', `/api/cases/${c.id}`)).json.status).toBe('completed');
  }, 180_000);
});
