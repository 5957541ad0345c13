/**
 * Where print jobs wait until they are printed. A job that could not print (no paper, cover open,
 * printer off) stays here with its id and place in line until it is printed; a JobStore never drops one.
 * Two implementations: in memory (tests, a kiosk that may lose jobs on restart), and one JSON file per
 * job in a directory, each written atomically (temp file, fsync, rename), which survives a power cut.
 * The agent will back the same interface with its SQLite store.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, messageOf } from '../../base/errors.js';
import { silentLogger, type Logger } from '../../base/log.js';
import { parseReceipt, type Receipt } from './receipt.js';
import type { PaperWidth } from './text.js';

export interface PrintJob {
  readonly id: string;
  /** Place in line: jobs print in increasing seq. */
  readonly seq: number;
  readonly receipt: Receipt;
  readonly width: PaperWidth;
  readonly createdAt: string;
  readonly attempts: number;
  readonly lastError?: { readonly code: string; readonly message: string };
}

export interface JobStore {
  add(job: PrintJob): Promise<void>;
  update(job: PrintJob): Promise<void>;
  remove(id: string): Promise<void>;
  /** Waiting jobs, in order. */
  list(): Promise<PrintJob[]>;
}

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, PrintJob>();

  async add(job: PrintJob): Promise<void> {
    this.jobs.set(job.id, job);
  }

  async update(job: PrintJob): Promise<void> {
    if (this.jobs.has(job.id)) this.jobs.set(job.id, job);
  }

  async remove(id: string): Promise<void> {
    this.jobs.delete(id);
  }

  async list(): Promise<PrintJob[]> {
    return [...this.jobs.values()].sort((a, b) => a.seq - b.seq);
  }
}

const JOB_FILE = /^(\d{12})-([A-Za-z0-9-]{1,64})\.json$/;

/** One `<seq>-<id>.json` per job in `dir`. Files that do not parse are moved aside (`.bad`), never deleted. */
export class FileJobStore implements JobStore {
  private readonly log: Logger;

  constructor(
    readonly dir: string,
    options: { log?: Logger } = {},
  ) {
    this.log = (options.log ?? silentLogger).child({ component: 'drivers.escpos.jobs', dir });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new EnvironmentError('env.jobDir', `cannot create the print job directory ${dir}: ${messageOf(err)}`);
    }
  }

  private fileOf(job: Pick<PrintJob, 'seq' | 'id'>): string {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(job.id) || !Number.isSafeInteger(job.seq) || job.seq < 0 || job.seq > 999_999_999_999) {
      throw new RangeError(`bad job id or seq: ${job.id} ${job.seq}`);
    }
    return join(this.dir, `${String(job.seq).padStart(12, '0')}-${job.id}.json`);
  }

  async add(job: PrintJob): Promise<void> {
    await this.writeAtomically(this.fileOf(job), JSON.stringify(job));
  }

  async update(job: PrintJob): Promise<void> {
    await this.writeAtomically(this.fileOf(job), JSON.stringify(job));
  }

  async remove(id: string): Promise<void> {
    for (const name of readdirSync(this.dir)) {
      const m = JOB_FILE.exec(name);
      if (m?.[2] === id) await rm(join(this.dir, name), { force: true });
    }
    await this.syncDir();
  }

  async list(): Promise<PrintJob[]> {
    const jobs: PrintJob[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const m = JOB_FILE.exec(name);
      if (!m) continue;
      const path = join(this.dir, name);
      try {
        const job = parseJob(JSON.parse(await readFile(path, 'utf8')) as unknown);
        if (job.id !== m[2] || job.seq !== Number(m[1])) throw new Error('file name does not match its content');
        jobs.push(job);
      } catch (err) {
        this.log.error('unreadable print job moved aside', { file: name, error: messageOf(err) });
        renameSync(path, `${path}.bad`);
      }
    }
    return jobs;
  }

  private async writeAtomically(path: string, text: string): Promise<void> {
    const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}

function parseJob(v: unknown): PrintJob {
  if (typeof v !== 'object' || v === null) throw new Error('not an object');
  const o = v as Record<string, unknown>;
  const { id, seq, width, createdAt, attempts, lastError } = o;
  if (typeof id !== 'string' || typeof seq !== 'number' || (width !== 58 && width !== 80) || typeof createdAt !== 'string' || typeof attempts !== 'number') {
    throw new Error('missing or malformed job fields');
  }
  const err =
    typeof lastError === 'object' && lastError !== null && typeof (lastError as Record<string, unknown>)['code'] === 'string'
      ? { code: String((lastError as Record<string, unknown>)['code']), message: String((lastError as Record<string, unknown>)['message'] ?? '') }
      : undefined;
  return { id, seq, receipt: parseReceipt(o['receipt']), width, createdAt, attempts, ...(err ? { lastError: err } : {}) };
}
