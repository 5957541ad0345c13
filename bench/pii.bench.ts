/**
 * Personal-data protection costs: sealing and opening a personal field with the FieldCipher, both
 * algorithms, against the bare cipher calls of node:crypto on the same bytes (no header, no key
 * derivation, no MAC for CTR); and an audit append inside a transaction against a bare row insert.
 * The intake target of issue 5 (5,000 cases/s) seals about three values per case.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../base/log.js';
import { appendAudit } from '../agent/audit/audit-log.js';
import { migration as core } from '../agent/store/migrations/0001-core.js';
import { migration as audit } from '../agent/store/migrations/0002-audit-keys.js';
import { openFieldCipher } from '../agent/pii/field-cipher.js';
import type { BenchModule } from './lib.js';

const FIELDS = JSON.stringify({
  idNumber: '34160219900101123X',
  name: '张三',
  phone: '13800138000',
  address: '安徽省亳州市谯城区人民路88号',
  gender: '男',
  nation: '汉',
  birthDate: '1990-01-01',
});

const bench: BenchModule = {
  description: 'FieldCipher seal/open (SM4-CTR+HMAC-SM3, AES-256-GCM) and audit appends, against bare node:crypto and a bare insert',
  async run(b) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-pii-'));
    try {
      const bytes = Buffer.byteLength(FIELDS);
      const sm4 = openFieldCipher({ dataDir: dir, log: silentLogger });
      const aes = openFieldCipher({ dataDir: dir, algorithm: 'aes-256-gcm', log: silentLogger });
      const aad = 'applicants/0190a1b2-0000-7000-8000-000000000000/fields';
      const sealedSm4 = sm4.seal(FIELDS, aad);
      const sealedAes = aes.seal(FIELDS, aad);

      const sealSm4 = await b.measure('seal — FieldCipher SM4-CTR+HMAC-SM3', () => sm4.seal(FIELDS, aad), { bytesPerOp: bytes });
      await b.measure('open — FieldCipher SM4-CTR+HMAC-SM3', () => sm4.open(sealedSm4, aad), { bytesPerOp: bytes });
      const sealAes = await b.measure('seal — FieldCipher AES-256-GCM', () => aes.seal(FIELDS, aad), { bytesPerOp: bytes });
      await b.measure('open — FieldCipher AES-256-GCM', () => aes.open(sealedAes, aad), { bytesPerOp: bytes });

      const key16 = randomBytes(16);
      const key32 = randomBytes(32);
      const plain = Buffer.from(FIELDS);
      const bareCtr = await b.measure('encrypt — bare node:crypto sm4-ctr (no MAC)', () => {
        const c = createCipheriv('sm4-ctr', key16, randomBytes(16));
        return Buffer.concat([c.update(plain), c.final()]);
      }, { bytesPerOp: bytes });
      const bareGcm = await b.measure('encrypt — bare node:crypto aes-256-gcm', () => {
        const c = createCipheriv('aes-256-gcm', key32, randomBytes(12));
        c.setAAD(Buffer.from(aad));
        const out = Buffer.concat([c.update(plain), c.final()]);
        c.getAuthTag();
        return out;
      }, { bytesPerOp: bytes });
      b.ratio('seal SM4+HMAC-SM3: FieldCipher / bare sm4-ctr without MAC', sealSm4, bareCtr, 0.25);
      // FieldCipher adds the header and the framed aad to the GCM input and output: a little under half the bare rate.
      b.ratio('seal AES-GCM: FieldCipher / bare aes-256-gcm', sealAes, bareGcm, 0.4);
      b.limit('seal SM4+HMAC-SM3 per second (3 per case at 5,000 cases/s = 15,000; twice that)', sealSm4.opsPerSec, 'ops/s', { atLeast: 30_000 });

      const db = new Database(join(dir, 'bench.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF'); // CPU cost of the append, not fsync
      core.up(db);
      audit.up(db);
      db.exec('CREATE TABLE plain (seq INTEGER PRIMARY KEY, at INTEGER, type TEXT, actor TEXT, subject TEXT, details TEXT, prev_hash TEXT, hash TEXT)');
      const insert = db.prepare('INSERT INTO plain (at, type, actor, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const details = { from: 'submitted', to: 'uploaded', item: '340000-000201-001' };
      const BATCH = 100;
      const appendBatch = db.transaction(() => {
        for (let i = 0; i < BATCH; i++) appendAudit(db, { type: 'caseTransition', actor: 'kiosk', subject: '0190a1b2-0000-7000-8000-000000000000', details });
      });
      const insertBatch = db.transaction(() => {
        for (let i = 0; i < BATCH; i++) insert.run(Date.now(), 'caseTransition', 'kiosk', '0190a1b2-0000-7000-8000-000000000000', JSON.stringify(details), '0'.repeat(64), '0'.repeat(64));
      });
      const appendM = await b.measure(`audit append ×${BATCH} in one transaction — appendAudit (SM3 chain)`, appendBatch);
      const insertM = await b.measure(`row insert ×${BATCH} in one transaction — bare SQLite`, insertBatch);
      // The append writes two rows (entry and head) and hashes; the bare insert writes one.
      b.ratio('audit append / bare insert', appendM, insertM, 0.12);
      b.limit('audit appends per second', appendM.opsPerSec * BATCH, 'ops/s', { atLeast: 20_000 });
      db.close();
      b.note(`personal fields of ${bytes} bytes (an ID card read as JSON); keys derived once per key and cached; SM3 and SM4 from OpenSSL`);
      b.note('audit append = redaction check + canonical JSON + SM3 + insert + head update; synchronous=OFF so that both sides measure CPU, not fsync');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
