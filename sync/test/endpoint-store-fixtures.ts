/** Cases and files as a kiosk sends them, for the endpoint store's tests (content: agent/cases/README.md). */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../certs/pdf/templates/reference.js';
import { sm3Hex } from '../../certs/sm3.js';
import { silentLogger } from '../../base/log.js';
import { openEndpointStore, type EndpointStore } from '../endpoint/store/index.js';
import type { CaseEntry, FileRef } from '../protocol/index.js';

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-endpoint-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openStore(dataDir: string, extra: { regions?: string[]; now?: () => number } = {}): EndpointStore {
  return openEndpointStore({ dataDir, log: silentLogger, ...extra });
}

/** A small PDF-looking file (the store checks magic bytes, not PDF structure). */
export function pdfBytes(text = 'result'): Buffer {
  return Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`, 'latin1');
}

export function fileRef(bytes: Uint8Array, mediaType: FileRef['mediaType'] = 'application/pdf'): FileRef {
  return { sm3: sm3Hex(bytes), size: bytes.length, mediaType };
}

/** The canonical content of a case, as canonicalCaseContent makes it. */
export function caseContent(id: string, opts: { attached?: FileRef[]; purpose?: string } = {}): Record<string, unknown> {
  return {
    format: 1,
    id,
    itemCode: '341600-SB-0003',
    catalogVersion: 1,
    applicant: { source: 'idCard', idType: 'resident', idNumber: '341602199001011234', name: '王演示' },
    form: { periodFrom: '2024-01', periodTo: '2026-10', purpose: opts.purpose ?? '子女入学' },
    materials: [
      ...(opts.attached ?? []).map((f, i) => ({ id: `m${i}`, provision: 'attached', form: '原件', sm3: f.sm3, size: f.size, mediaType: f.mediaType })),
      { id: 'zz-commitment', provision: 'later' },
    ],
  };
}

export const hashOf = (content: unknown): string => sm3Hex(canonicalJson(content));

export function submitted(seq: number, caseId: string = randomUUID(), opts: { attached?: FileRef[]; purpose?: string; region?: string } = {}): CaseEntry {
  const content = caseContent(caseId, opts);
  return {
    seq,
    caseId,
    region: opts.region ?? '341600',
    kind: 'case.submitted',
    payload: { serial: `341600-20261121-${caseId.slice(-10)}`, contentHash: hashOf(content), content },
  };
}

/** Uploads a whole file through beginFile/appendChunk in chunks of `chunk` bytes. */
export function upload(store: EndpointStore, bytes: Uint8Array, mediaType: FileRef['mediaType'] = 'application/pdf', chunk = 1024): void {
  const ref = fileRef(bytes, mediaType);
  let { committed } = store.beginFile(ref.sm3, ref.size, mediaType, 1);
  do {
    const end = Math.min(committed + chunk, bytes.length);
    const r = store.appendChunk(ref.sm3, committed, bytes.subarray(committed, end), end === bytes.length, 1);
    if ('rejected' in r) throw new Error(r.rejected.reason);
    committed = r.committed;
  } while (committed < bytes.length);
}

/** The file the crash test uploads: 4 MiB of deterministic bytes (the parent recomputes them). */
export function crashFile(): { bytes: Buffer; sm3: string } {
  const bytes = Buffer.alloc(4 * 1024 * 1024);
  bytes.write('%PDF-1.7\n', 'latin1');
  let x = 0x2545f491;
  for (let i = 9; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return { bytes, sm3: sm3Hex(bytes) };
}
