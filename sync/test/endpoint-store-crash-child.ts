/**
 * A process that writes to an endpoint store as fast as it can until it is killed (SIGKILL, by
 * endpoint-store-crash.test.ts): batches of 10 cases and chunks of one file. After each call returns it
 * writes, synchronously, what the store said is committed — the parent checks that all of it survived.
 *
 *   node --import tsx endpoint-store-crash-child.ts DATA_DIR
 */
import { writeSync } from 'node:fs';
import { crashFile, openStore, submitted } from './endpoint-store-fixtures.js';

const dir = process.argv[2]!;
const store = openStore(dir);
store.enroll(store.createEnrollToken('kiosk-1'), '0.1.0');
const file = crashFile();
store.beginFile(file.sm3, file.bytes.length, 'application/pdf');
let committed = store.fileStatus(file.sm3).committed;
const CHUNK = 16 * 1024;
writeSync(1, 'ready\n');
for (let seq = 1; ; seq += 10) {
  const batch = Array.from({ length: 10 }, (_, i) => submitted(seq + i));
  const acks = store.commitBatch('kiosk-1', batch, Date.now());
  if (acks.some((a) => a.outcome !== 'committed')) throw new Error(`unexpected ack ${JSON.stringify(acks)}`);
  writeSync(1, `cases ${batch.map((e) => e.caseId).join(' ')}\n`);
  if (committed < file.bytes.length - CHUNK) {
    const r = store.appendChunk(file.sm3, committed, file.bytes.subarray(committed, committed + CHUNK), false);
    if ('rejected' in r) throw new Error(r.rejected.reason);
    committed = r.committed;
    writeSync(1, `chunk ${committed}\n`);
  }
}
