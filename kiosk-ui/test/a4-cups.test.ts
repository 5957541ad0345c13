/**
 * The A4 printer as a real CUPS queue (a private cupsd with a cups-pdf queue configured as the demo's
 * `document` printer, replacing its IPP simulator): a certificate issued on site and printed from the
 * 当场出证 screen comes out of CUPS as the same document: as many pages, and each page drawn the same as
 * the sealed PDF the agent holds (both rendered by pdftoppm; cups-pdf's PDF -> PostScript -> PDF round
 * trip drops the subset fonts' ToUnicode maps, so the text cannot be read back, only seen).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyForCertificateToReview, CERTIFICATE_ITEM as ITEM, openCertificate, submitReview } from './helpers/flows.js';
import { startKiosk, until, type Kiosk } from './helpers/kiosk.js';

/** Page count (pdfinfo). */
function pages(pdf: string): number {
  const r = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(r.stdout)?.[1]);
}

/** Page `page` rendered in grey (pdftoppm, 60 dpi): width, height and the pixels. */
function render(pdf: string, page: number, dir: string): { w: number; h: number; px: Uint8Array } {
  const out = join(dir, `p${page}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync('pdftoppm', ['-r', '60', '-gray', '-f', String(page), '-l', String(page), '-singlefile', pdf, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftoppm ${pdf}: ${r.stderr}`);
  const pgm = readFileSync(`${out}.pgm`);
  // P5 <w> <h> <max>\n then the pixels
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'))!;
  return { w: Number(header[1]), h: Number(header[2]), px: pgm.subarray(header[0].length) };
}

/**
 * What is drawn on a page, independent of where the printer placed it and at what scale (cups-pdf fits
 * the page into its printable area): the box around the ink, averaged down to a 60x80 grid.
 */
function inkGrid(img: { w: number; h: number; px: Uint8Array }): Float64Array {
  let [x0, y0, x1, y1] = [img.w, img.h, -1, -1];
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      if (img.px[y * img.w + x]! < 160) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  expect(x1, 'the page has ink').toBeGreaterThan(x0);
  const [GW, GH] = [60, 80];
  const grid = new Float64Array(GW * GH);
  const count = new Float64Array(GW * GH);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const g = Math.min(GH - 1, Math.floor(((y - y0) * GH) / (y1 - y0 + 1))) * GW + Math.min(GW - 1, Math.floor(((x - x0) * GW) / (x1 - x0 + 1)));
      grid[g]! += (255 - img.px[y * img.w + x]!) / 255;
      count[g]! += 1;
    }
  }
  for (let i = 0; i < grid.length; i++) grid[i]! /= count[i]! || 1;
  return grid;
}

/** Mean absolute difference of two ink grids. */
function difference(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

let k: Kiosk;
beforeAll(async () => {
  k = await startKiosk({ cups: true });
});
afterAll(async () => {
  await k?.stop();
});

const text = async (testid: string): Promise<string> => (await k.page.getByTestId(testid).textContent()) ?? '';

describe('A4 printing through a real CUPS queue', () => {
  it('the document printer is the CUPS queue, online', async () => {
    const devices = (await k.api<{ devices: { id: string; kind: string; state: string }[] }>('GET', '/api/devices')).json.devices;
    expect(devices.filter((d) => d.kind === 'document').map((d) => d.id)).toEqual(['a4']);
    await until('the CUPS queue online', async () => ((await k.api<{ state: string }>('GET', '/api/devices/a4')).json.state === 'online' ? true : undefined), 20_000);
  });

  it('当场出证 -> 打印证明: the certificate comes out of CUPS', async () => {
    await applyForCertificateToReview(k);
    await submitReview(k);
    await openCertificate(k);
    await k.page.getByTestId('cert-issued').waitFor({ timeout: 30_000 });
    const documentId = await text('cert-document-id');
    expect(await k.cups!.queue.pdfs()).toEqual([]);
    await k.tap('cert-print');
    await k.page.getByTestId('cert-printed').waitFor({ timeout: 60_000 });
    await k.screenshot('certificate-printed-cups');
    const printed = await until('the PDF out of cups-pdf', () => k.cups!.queue.newestPdf(), 30_000);
    expect(k.cups!.queue.pdfs()).toHaveLength(1);

    // The sealed certificate the agent holds, to compare with what CUPS printed.
    const caseId = (await k.api<{ cases: { id: string; itemCode: string }[] }>('GET', '/api/cases')).json.cases.find((c) => c.itemCode === ITEM)!.id;
    const res = await fetch(new URL(`api/cases/${caseId}/certificates/${documentId}`, k.url), { headers: { authorization: `Bearer ${k.token}` } });
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'tongban-a4-cups-'));
    try {
      const sealed = join(dir, 'sealed.pdf');
      writeFileSync(sealed, new Uint8Array(await res.arrayBuffer()));
      expect(pages(printed)).toBe(pages(sealed));
      // Kept beside the screenshots, for people to look at.
      const shots = join(k.screenshotDir, 'a4');
      mkdirSync(shots, { recursive: true });
      spawnSync('pdftoppm', ['-r', '50', '-png', sealed, join(shots, 'sealed')]);
      spawnSync('pdftoppm', ['-r', '50', '-png', printed, join(shots, 'printed-by-cups')]);
      const n = pages(sealed);
      const sealedPages = Array.from({ length: n }, (_, i) => inkGrid(render(sealed, i + 1, dir)));
      const printedPages = Array.from({ length: n }, (_, i) => inkGrid(render(printed, i + 1, dir)));
      for (let p = 0; p < n; p++) {
        const same = difference(sealedPages[p]!, printedPages[p]!);
        // each printed page is drawn like its own sealed page, and much less like any other page
        for (let q = 0; q < n; q++) if (q !== p) expect(same, `page ${p + 1}`).toBeLessThan(difference(sealedPages[p]!, printedPages[q]!) / 2);
        expect(same, `page ${p + 1}`).toBeLessThan(0.05);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
