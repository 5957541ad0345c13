import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { appendAudit, appendAuditMany, entryHash, GENESIS_HASH, readAudit } from '../audit/audit-log.js';
import { canonicalJson } from '../audit/canonical.js';
import { verifyAudit } from '../audit/verify.js';
import { openStoreCore, STORE_FILE, type StoreCore } from '../store/open-store.js';

const dirs: string[] = [];
const open: StoreCore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newStore(): StoreCore {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-audit-'));
  dirs.push(dir);
  const s = openStoreCore({ dataDir: dir, log: silentLogger });
  open.push(s);
  return s;
}

/** A store with `n` entries, closed; returns its file for raw edits. */
function storeWith(n: number): string {
  const s = newStore();
  for (let i = 1; i <= n; i++) {
    appendAudit(s.db, { type: 'caseTransition', actor: 'agent', subject: `case-${i}`, details: { from: 'draft', to: 'submitted', n: i }, at: 1_700_000_000_000 + i });
  }
  s.close();
  return join(s.dataDir, STORE_FILE);
}

/** Opens the file the way someone tampering with it would: raw SQL, the guard triggers dropped. */
function tamper(file: string, sql: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  sql(db);
  db.close();
}

function verdict(file: string) {
  const s = openStoreCore({ dataDir: join(file, '..'), log: silentLogger });
  open.push(s);
  return verifyAudit(s.db);
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, refuses what JSON cannot carry back', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: '张' }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,{"y":"张","z":1}]},"b":1}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: 2 ** 60 })).toThrow(TypeError);
    expect(() => canonicalJson({ x: new Date() })).toThrow(TypeError);
  });
});

describe('audit log', () => {
  it('chains entries with SM3 from a zero genesis and verifies an intact log', () => {
    const s = newStore();
    expect(verifyAudit(s.db)).toEqual({ ok: true, entries: 0, headSeq: 0, headHash: GENESIS_HASH });
    const a = appendAudit(s.db, { type: 'cardRead', actor: 'citizen', subject: 'applicant:0190aa', details: { reader: 'idcard' }, at: 1 });
    const b = appendAudit(s.db, { type: 'print', actor: 'agent', subject: 'case-1', at: 2 });
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(2);
    expect(a.hash).toBe(entryHash(GENESIS_HASH, { seq: 1, at: 1, type: 'cardRead', actor: 'citizen', subject: 'applicant:0190aa', details: { reader: 'idcard' } }));
    const row = s.db.prepare('SELECT prev_hash, hash FROM audit_log WHERE seq = 2').get() as { prev_hash: string; hash: string };
    expect(row).toEqual({ prev_hash: a.hash, hash: b.hash });
    expect(verifyAudit(s.db)).toEqual({ ok: true, entries: 2, headSeq: 2, headHash: b.hash });
  });

  it("appends inside the caller's transaction: rolled back with it", () => {
    const s = newStore();
    appendAudit(s.db, { type: 'admin', actor: 'operator', at: 1 });
    expect(() =>
      s.transaction(() => {
        appendAudit(s.db, { type: 'caseTransition', actor: 'agent', subject: 'case-9', at: 2 });
        throw new Error('the transition failed');
      }),
    ).toThrow('the transition failed');
    expect(s.db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
    expect(verifyAudit(s.db).ok).toBe(true);
    const next = s.transaction(() => appendAudit(s.db, { type: 'caseTransition', actor: 'agent', subject: 'case-9', at: 3 }));
    expect(next.seq).toBe(2);
    expect(verifyAudit(s.db)).toMatchObject({ ok: true, entries: 2 });
  });

  it('appendAuditMany chains a batch in order, exactly as one append after another would', () => {
    const inputs = [1, 2, 3].map((i) => ({ type: 'caseTransition' as const, actor: 'agent', subject: `case-${i}`, details: { from: 'submitted', to: 'uploaded', item: 'x' }, at: 10 + i }));
    const one = newStore();
    appendAudit(one.db, { type: 'admin', actor: 'operator', at: 1 });
    for (const input of inputs) appendAudit(one.db, input);
    const many = newStore();
    appendAudit(many.db, { type: 'admin', actor: 'operator', at: 1 });
    const head = appendAuditMany(many.db, inputs);
    expect(readAudit(many.db)).toEqual(readAudit(one.db));
    expect(head).toEqual({ seq: 4, hash: readAudit(one.db).at(-1)!.hash });
    expect(verifyAudit(many.db)).toMatchObject({ ok: true, entries: 4, headSeq: 4 });
    expect(appendAuditMany(many.db, [])).toEqual(head); // nothing to append: the head as it is
  });

  it('appendAuditMany checks every input before writing any: one with personal data writes none', () => {
    const s = newStore();
    const ok = { type: 'caseTransition' as const, actor: 'agent', subject: 'case-1', details: { from: 'submitted', to: 'uploaded' } };
    expect(() => appendAuditMany(s.db, [ok, { ...ok, subject: '34160219900101123X' }])).toThrow(/personal data/);
    expect(() => appendAuditMany(s.db, [ok, { ...ok, details: { name: '张三' } }])).toThrow(/personal data/);
    expect(s.db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 0 });
  });

  it('refuses personal data in clear in subject or details, and unknown types', () => {
    const s = newStore();
    expect(() => appendAudit(s.db, { type: 'cardRead', actor: 'citizen', subject: '34160219900101123X' })).toThrow(/personal data/);
    expect(() => appendAudit(s.db, { type: 'cardRead', actor: 'citizen', details: { name: '张三' } })).toThrow(/personal data/);
    expect(() => appendAudit(s.db, { type: 'cardRead', actor: 'citizen', details: { note: 'call 13812345678' } })).toThrow(/personal data/);
    expect(() => appendAudit(s.db, { type: 'cardRead', actor: 'citizen', details: { photo: 'abc' } })).toThrow(/personal data/);
    expect(() => appendAudit(s.db, { type: 'nope' as 'admin', actor: 'x' })).toThrow(/unknown audit type/);
    appendAudit(s.db, { type: 'cardRead', actor: 'citizen', subject: 'applicant:0190aa', details: { idNumberMasked: '3416**********123X' } });
    // UUIDs whose random digits look like a mobile number are ids, not personal data, in subject and details alike.
    const uuid = '0190a1b2-0000-7000-8000-a13812345678';
    appendAudit(s.db, { type: 'caseTransition', actor: 'kiosk', subject: uuid, details: { bundle: [uuid, `case:${uuid}`] } });
    expect(() => appendAudit(s.db, { type: 'admin', actor: 'operator', details: { note: `moved ${uuid.slice(-11)}` } })).toThrow(/personal data/);
    expect(s.db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 2 });
  });

  it('triggers refuse UPDATE and DELETE through tongban', () => {
    const s = newStore();
    appendAudit(s.db, { type: 'admin', actor: 'operator' });
    expect(() => s.db.prepare("UPDATE audit_log SET actor = 'x'").run()).toThrow(/append-only/);
    expect(() => s.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  describe('detects tampering of the file', () => {
    it('an edited entry (details, actor, time)', () => {
      for (const edit of [
        "UPDATE audit_log SET details = '{\"from\":\"draft\",\"n\":4,\"to\":\"refused\"}' WHERE seq = 4",
        "UPDATE audit_log SET actor = 'staff:7' WHERE seq = 4",
        'UPDATE audit_log SET at = at + 1 WHERE seq = 4',
        "UPDATE audit_log SET subject = NULL WHERE seq = 4",
      ]) {
        const file = storeWith(8);
        tamper(file, (db) => db.exec(edit));
        expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'edited' });
      }
    });

    it('an edited entry whose own hash was recomputed breaks the link to the next', () => {
      const file = storeWith(8);
      tamper(file, (db) => {
        const r = db.prepare('SELECT * FROM audit_log WHERE seq = 4').get() as { prev_hash: string; seq: number; at: number; type: string; subject: string };
        const details = { from: 'draft', to: 'refused', n: 4 };
        const hash = entryHash(r.prev_hash, { seq: 4, at: r.at, type: r.type, actor: 'agent', subject: r.subject, details });
        db.prepare('UPDATE audit_log SET details = ?, hash = ? WHERE seq = 4').run(JSON.stringify(details), hash);
      });
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'removed' });
    });

    it('a removed entry (gap) and a removed entry with the later ones renumbered', () => {
      let file = storeWith(8);
      tamper(file, (db) => db.exec('DELETE FROM audit_log WHERE seq = 3'));
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'removed', message: 'entry 3 was removed' });

      file = storeWith(8);
      tamper(file, (db) => {
        db.exec('DELETE FROM audit_log WHERE seq = 3');
        for (let seq = 4; seq <= 8; seq++) db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq - 1, seq);
        db.exec('UPDATE audit_head SET seq = 7');
      });
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'removed' });
    });

    it('the last entries removed (truncated), head left as it was', () => {
      const file = storeWith(8);
      tamper(file, (db) => db.exec('DELETE FROM audit_log WHERE seq >= 7'));
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 7, reason: 'truncated' });
    });

    it('an inserted entry (later ones renumbered, its own hash computed correctly)', () => {
      const file = storeWith(8);
      tamper(file, (db) => {
        for (let seq = 8; seq >= 5; seq--) db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq + 1, seq);
        const prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 4').get() as { hash: string }).hash;
        const forged = { seq: 5, at: 1_700_000_000_004, type: 'certificateIssued', actor: 'agent', subject: 'case-x', details: {} };
        db.prepare('INSERT INTO audit_log (seq, at, type, actor, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          5, forged.at, forged.type, forged.actor, forged.subject, '{}', prev, entryHash(prev, forged),
        );
        db.exec('UPDATE audit_head SET seq = 9');
      });
      const v = verdict(file);
      expect(v).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'inserted' });
      expect(v.ok || v.message).toBe('entry 6 follows entry 4 in the chain: entry 5 was inserted');
    });

    it('an entry appended outside tongban (head not moved)', () => {
      const file = storeWith(3);
      tamper(file, (db) => {
        const prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 3').get() as { hash: string }).hash;
        const forged = { seq: 4, at: 5, type: 'admin', actor: 'operator', subject: null, details: {} };
        db.prepare('INSERT INTO audit_log (seq, at, type, actor, subject, details, prev_hash, hash) VALUES (4, 5, ?, ?, NULL, ?, ?, ?)').run(
          'admin', 'operator', '{}', prev, entryHash(prev, forged),
        );
      });
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'inserted' });
    });

    it('two entries swapped (reordered)', () => {
      const file = storeWith(8);
      tamper(file, (db) => {
        db.exec('UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100;');
      });
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'reordered', message: 'entry 3 follows entry 4 in the chain: entries were reordered' });
    });

    it('a malformed row', () => {
      const file = storeWith(3);
      tamper(file, (db) => db.exec("UPDATE audit_log SET details = '[1]' WHERE seq = 2"));
      expect(verdict(file)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'malformed' });
    });
  });
});

describe('audit input checks', () => {
  it('ignores undefined fields and refuses non-JSON details with their own message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-audit-'));
    dirs.push(dir);
    const s = openStoreCore({ dataDir: dir, log: silentLogger });
    open.push(s);
    appendAudit(s.db, { type: 'admin', actor: 'operator', details: { action: 'x', extra: undefined } as never });
    expect(() => appendAudit(s.db, { type: 'admin', actor: 'operator', details: { when: new Date() } as never })).toThrow(/not a JSON value/);
    expect(verifyAudit(s.db)).toMatchObject({ ok: true, entries: 1 });
  });
});
