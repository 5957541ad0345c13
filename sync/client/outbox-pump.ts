/**
 * The outbox pump of one connection: takes ready entries from the store (at most one per case, FIFO
 * by seq), uploads the files each lists that the endpoint does not hold yet, and sends them in
 * `cases` batches (at most LIMITS.maxBatch entries each, at most `window.entries` unacknowledged).
 * Each `ack` settles its batch: committed/duplicate → acknowledged (one local transaction); retry →
 * failed with a backoff that honours the endpoint's hint; rejected → quarantined. A failing entry only
 * ever holds back its own case.
 */
import type { Logger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import { faultPoint } from '../faults.js';
import { LIMITS, type AckMessage, type AckResult, type CaseEntry, type FileRef } from '../protocol/index.js';
import { retryDelay, type BackoffOptions, type RandomSource } from './backoff.js';
import type { Connection } from './connection.js';
import type { FileUploader } from './file-upload.js';
import { pendingFor, type Route } from './routing.js';
import { Signal } from './signal.js';
import type { KioskSyncStore, SyncEntry } from './types.js';

/** When nothing is ready, look again this often (entries held back by an earlier process's failure come due). */
const IDLE_POLL_MS = 1000;

/** `{"v":1,"type":"cases","batch":[]}` and some room. */
const BATCH_OVERHEAD_BYTES = 64;

/** File rejections that no retry can cure: the entry is quarantined for staff. */
const PERMANENT_FILE_CODES = new Set(['file.tooBig', 'file.badType', 'file.badHash']);

export interface PumpOptions {
  readonly conn: Connection;
  readonly store: KioskSyncStore;
  readonly log: Logger;
  readonly route: Route;
  readonly windowEntries: number;
  readonly uploader: FileUploader;
  readonly backoff: BackoffOptions;
  readonly random: RandomSource;
  readonly now: () => number;
  /** Files the endpoint is known to hold complete (kept by the client across connections). */
  readonly knownComplete: Set<string>;
  readonly violation: (why: string) => void;
  /** Entries the endpoint acknowledged (committed or duplicate). */
  readonly onAcknowledged: (n: number) => void;
}

/** Bytes of files one batch waits for (one entry's files may exceed it). */
const MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024;

/** Files uploaded side by side (their chunks share the connection's chunk window). */
const PARALLEL_UPLOADS = 4;

type FileOutcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt' }
  | { readonly kind: 'unreadable'; readonly error: string }
  | { readonly kind: 'rejected'; readonly code: string; readonly reason: string }
  /** Refused earlier on this connection: not offered again until the next one. */
  | { readonly kind: 'refusedEarlier' };

export class OutboxPump {
  private readonly inFlight = new Set<number>();
  /** Cases with an entry in flight: their next entry waits for its ack (even if a store offered it). */
  private readonly casesInFlight = new Set<string>();
  /** Sent batches awaiting their ack, oldest first (the endpoint acks `cases` messages in order). */
  private readonly batches: SyncEntry[][] = [];
  /** When each of `batches` was sent (Date.now()). */
  private readonly sentAt: number[] = [];
  private readonly wake = new Signal();
  /** Files the endpoint refused on this connection: not offered again until the next one. */
  private readonly refusedFiles = new Set<string>();
  private nextDue: number | null = null;
  private stopped = false;

  constructor(private readonly o: PumpOptions) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  kick(): void {
    this.wake.notify();
  }

  /** How long the oldest batch in flight has waited for its ack (0 when none). */
  oldestUnackedMs(now: number): number {
    const t = this.sentAt[0];
    return t === undefined ? 0 : now - t;
  }

  stop(): void {
    this.stopped = true;
    this.wake.notify();
  }

  /** Runs until the connection closes or stop(); never rejects. */
  async run(): Promise<void> {
    const { conn } = this.o;
    while (!this.stopped && conn.isOpen) {
      const room = Math.min(LIMITS.maxBatch, this.o.windowEntries - this.inFlight.size);
      if (room > 0) {
        const now = this.o.now();
        const entries = pendingFor(this.o.store, this.o.route, { now, limit: room, exclude: this.inFlight });
        if (entries.length > 0) {
          // The batch by size first; then the files its entries list; then the entries whose files are all there.
          const chosen: { e: SyncEntry; entry: CaseEntry }[] = [];
          let bytes = BATCH_OVERHEAD_BYTES;
          let batchFileBytes = 0;
          const casesChosen = new Set<string>();
          let quarantinedHere = false;
          for (const e of entries) {
            // At most one entry per case on the wire: the store promises it, and the pump holds to it regardless.
            if (this.casesInFlight.has(e.caseId) || casesChosen.has(e.caseId)) continue;
            const entry = toCaseEntry(e);
            const size = Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
            if (BATCH_OVERHEAD_BYTES + size > LIMITS.maxTextBytes) {
              // No batch can carry it: the endpoint would refuse the frame whatever we do.
              this.o.store.quarantine(e.seq, 'entry.tooBig', `the entry takes ${size} bytes, over the ${LIMITS.maxTextBytes}-byte message limit`);
              this.o.log.error('case entry quarantined: too big for any message', { seq: e.seq, caseId: e.caseId, bytes: size });
              quarantinedHere = true;
              continue;
            }
            // The rest goes in the next batch (the store hands them out again).
            if (bytes + size > LIMITS.maxTextBytes) break;
            // And a batch waits for at most so many bytes of files, so that cases keep flowing behind large ones.
            const fileBytes = e.files.reduce((n, f) => n + (this.o.knownComplete.has(f.sm3) ? 0 : f.size), 0);
            if (chosen.length > 0 && batchFileBytes + fileBytes > MAX_BATCH_FILE_BYTES) break;
            chosen.push({ e, entry });
            casesChosen.add(e.caseId);
            bytes += size;
            batchFileBytes += fileBytes;
          }
          const outcomes = await this.uploadFiles(chosen.map((c) => c.e));
          if (outcomes === null || this.stopped || !conn.isOpen) return;
          const batch: CaseEntry[] = [];
          const ready: SyncEntry[] = [];
          for (const { e, entry } of chosen) {
            if (!this.settleFiles(e, outcomes)) continue;
            ready.push(e);
            batch.push(entry);
          }
          if (ready.length > 0) {
            for (const e of ready) {
              this.inFlight.add(e.seq);
              this.casesInFlight.add(e.caseId);
            }
            this.batches.push(ready);
            this.sentAt.push(Date.now());
            if (!conn.send({ type: 'cases', batch })) return;
            if (this.o.log.isEnabled('debug')) this.o.log.debug('cases sent', { seqs: ready.map((e) => e.seq), cases: ready.map((e) => e.caseId) });
            // Some batches of this round sent, the rest not yet.
            faultPoint('kiosk.midBatch');
          }
          // Look again at once only if this round changed something (sent, failed or quarantined an
          // entry); entries that only wait behind their case's entry in flight wait for its ack.
          if (chosen.length > 0 || quarantinedHere) {
            // A round that sent nothing still lets the socket's events in before the next one.
            if (ready.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
            continue;
          }
        }
      }
      await this.wake.wait(this.sleepMs());
    }
  }

  /** Settles the oldest batch in flight. Throws only if the store fails (the session then closes). */
  onAck(msg: AckMessage): void {
    const batch = this.batches[0];
    if (!batch) return this.o.violation('an ack with no cases in flight');
    if (msg.results.length !== batch.length || msg.results.some((r, i) => r.seq !== batch[i]!.seq)) {
      return this.o.violation('an ack that does not match the cases sent');
    }
    this.batches.shift();
    this.sentAt.shift();
    const now = this.o.now();
    const done: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      const r = msg.results[i]!;
      this.inFlight.delete(e.seq);
      this.casesInFlight.delete(e.caseId);
      if (r.outcome === 'committed' || r.outcome === 'duplicate') {
        done.push(e.seq);
      } else if (r.outcome === 'retry') {
        const at = now + retryDelay(e.attempts, r.retryAfterMs, this.o.backoff, this.o.random);
        this.o.store.failed(e.seq, describe(r), at);
        this.due(at);
        // The endpoint lacks a file we thought it held: upload again next time.
        if (r.code === 'files.missing') for (const f of e.files) this.o.knownComplete.delete(f.sm3);
        this.o.log.info('case entry to retry', { seq: e.seq, caseId: e.caseId, code: r.code ?? null, retryInMs: at - now });
      } else {
        this.o.store.quarantine(e.seq, r.code ?? 'rejected', r.reason ?? 'rejected by the endpoint');
        this.o.log.warn('case entry rejected by the endpoint: quarantined', { seq: e.seq, caseId: e.caseId, code: r.code ?? null });
      }
    }
    if (done.length > 0) {
      this.o.store.acknowledged(done, now);
      this.o.onAcknowledged(done.length);
      faultPoint('kiosk.afterAckCommit');
    }
    this.wake.notify();
  }

  /**
   * Uploads every file the entries list that the endpoint is not known to hold, a few at a time;
   * null when the connection closed meanwhile.
   */
  private async uploadFiles(entries: readonly SyncEntry[]): Promise<Map<string, FileOutcome> | null> {
    const outcomes = new Map<string, FileOutcome>();
    const todo: FileRef[] = [];
    for (const e of entries) {
      for (const f of e.files) {
        if (this.o.knownComplete.has(f.sm3) || outcomes.has(f.sm3) || todo.some((t) => t.sm3 === f.sm3)) continue;
        if (this.refusedFiles.has(f.sm3)) outcomes.set(f.sm3, { kind: 'refusedEarlier' });
        else todo.push(f);
      }
    }
    let closed = false;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!closed && next < todo.length) {
        const f = todo[next++]!;
        const r = await this.uploadOne(f);
        if (r.kind === 'closed') closed = true;
        else outcomes.set(f.sm3, r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, todo.length) }, worker));
    return closed ? null : outcomes;
  }

  private async uploadOne(f: FileRef): Promise<FileOutcome | { kind: 'closed' }> {
    const { store } = this.o;
    let bytes: Uint8Array | null;
    try {
      bytes = store.hasFile(f.sm3) ? store.readFile(f.sm3) : null;
    } catch (err) {
      return { kind: 'unreadable', error: String(err) };
    }
    if (bytes === null) return { kind: 'missing' };
    if (bytes.length !== f.size) return { kind: 'corrupt' };
    const r = await this.o.uploader.upload(f, bytes);
    if (r.kind === 'complete') {
      this.o.knownComplete.add(f.sm3);
      return r;
    }
    if (r.kind === 'closed') return r;
    this.refusedFiles.add(f.sm3);
    // The endpoint hashes what it received; only then is our own copy checked (the common path skips a second SM3).
    if (r.code === 'file.hashMismatch' && sm3Hex(bytes) !== f.sm3) return { kind: 'corrupt' };
    return r;
  }

  /** Whether the entry's files are all at the endpoint; otherwise the entry is failed or quarantined here. */
  private settleFiles(e: SyncEntry, outcomes: ReadonlyMap<string, FileOutcome>): boolean {
    for (const f of e.files) {
      const r = outcomes.get(f.sm3);
      if (r === undefined || r.kind === 'complete') continue;
      if (r.kind === 'missing' || r.kind === 'corrupt' || r.kind === 'unreadable') {
        const code = r.kind === 'missing' ? 'files.unavailable' : r.kind === 'corrupt' ? 'files.corrupt' : 'files.unreadable';
        const what = r.kind === 'missing' ? 'missing' : r.kind === 'corrupt' ? 'damaged' : `unreadable (${r.error})`;
        this.o.store.quarantine(e.seq, code, `the kiosk's copy of file ${f.sm3} is ${what}`);
        this.o.log.error('case entry quarantined: a file it lists is not intact here', { seq: e.seq, caseId: e.caseId, code });
      } else if (r.kind === 'rejected' && PERMANENT_FILE_CODES.has(r.code)) {
        this.o.store.quarantine(e.seq, r.code, r.reason);
        this.o.log.warn('case entry quarantined: the endpoint refuses a file it lists', { seq: e.seq, caseId: e.caseId, code: r.code });
      } else {
        this.fail(e, r.kind === 'rejected' ? `${r.code}: ${r.reason}` : `file ${f.sm3.slice(0, 12)} refused by the endpoint on this connection`, undefined);
      }
      return false;
    }
    return true;
  }

  private fail(e: SyncEntry, error: string, hintMs: number | undefined): void {
    const now = this.o.now();
    const at = now + retryDelay(e.attempts, hintMs, this.o.backoff, this.o.random);
    this.o.store.failed(e.seq, error, at);
    this.due(at);
  }

  private due(at: number): void {
    if (this.nextDue === null || at < this.nextDue) this.nextDue = at;
  }

  private sleepMs(): number {
    const now = this.o.now();
    if (this.nextDue !== null && this.nextDue <= now) this.nextDue = null;
    const untilDue = this.nextDue === null ? IDLE_POLL_MS : this.nextDue - now + 1;
    return Math.max(1, Math.min(IDLE_POLL_MS, untilDue));
  }
}

/** An outbox entry as the protocol carries it (the store keeps kind and payload apart). */
export function toCaseEntry(e: SyncEntry): CaseEntry {
  return { seq: e.seq, caseId: e.caseId, region: e.region, kind: e.kind, payload: e.payload } as CaseEntry;
}

function describe(r: AckResult): string {
  const code = r.code ?? 'retry';
  return r.reason ? `${code}: ${r.reason}` : code;
}
