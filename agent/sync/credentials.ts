/**
 * The kiosk's credentials per endpoint (what an enrolment token was exchanged for), in
 * DATA/keys/sync-credentials.json, mode 0600, written whole (temp file, fsync, rename, fsync of the
 * directory) before the client says hello with them: a kiosk killed right after enrolling still has
 * them (the token was consumed; without them it could never connect again).
 *
 * { "format": 1, "endpoints": { "<endpoint URL>": { "kioskId": "...", "secret": "..." } } }
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, messageOf } from '../../base/errors.js';
import { writeFileDurably } from '../store/materials-repo.js';

export const CREDENTIALS_FILE = join('keys', 'sync-credentials.json');

export interface KioskCredentials {
  readonly kioskId: string;
  readonly secret: string;
}

const KIOSK_ID = /^[A-Za-z0-9._-]{1,64}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class CredentialsFile {
  private readonly path: string;
  private cache: Map<string, KioskCredentials> | undefined;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, CREDENTIALS_FILE);
  }

  get(endpointUrl: string): KioskCredentials | undefined {
    return this.load().get(endpointUrl);
  }

  /** Durable when it returns. */
  save(endpointUrl: string, c: KioskCredentials): void {
    if (!isRecord(c) || typeof c.kioskId !== 'string' || !KIOSK_ID.test(c.kioskId) || typeof c.secret !== 'string' || c.secret.length < 16 || c.secret.length > 512) {
      throw new EnvironmentError('env.syncCredentials', `the credentials the endpoint ${endpointUrl} gave are malformed`);
    }
    const next = new Map(this.load());
    next.set(endpointUrl, { kioskId: c.kioskId, secret: c.secret });
    this.write(next);
  }

  private write(next: Map<string, KioskCredentials>): void {
    const dir = join(this.dataDir, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const doc = { format: 1, endpoints: Object.fromEntries([...next].map(([url, v]) => [url, { kioskId: v.kioskId, secret: v.secret }])) };
    writeFileDurably(this.path, dir, new TextEncoder().encode(JSON.stringify(doc, null, 2) + '\n'));
    this.cache = next;
  }

  /** Forgets one endpoint's credentials (durably); false when there were none. */
  remove(endpointUrl: string): boolean {
    const current = this.load();
    if (!current.has(endpointUrl)) return false;
    const next = new Map(current);
    next.delete(endpointUrl);
    this.write(next);
    return true;
  }

  private load(): Map<string, KioskCredentials> {
    if (this.cache) return this.cache;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.cache = new Map());
      throw new EnvironmentError('env.syncCredentials', `cannot read ${this.path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
    }
    const bad = (why: string): EnvironmentError => new EnvironmentError('env.syncCredentials', `${this.path} is damaged (${why}); remove it and enrol the kiosk again`);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw bad('not JSON');
    }
    if (!isRecord(doc) || doc.format !== 1 || !isRecord(doc.endpoints)) throw bad('not format 1');
    const map = new Map<string, KioskCredentials>();
    for (const [url, v] of Object.entries(doc.endpoints)) {
      if (!isRecord(v) || typeof v.kioskId !== 'string' || typeof v.secret !== 'string') throw bad(`the entry of ${url}`);
      map.set(url, { kioskId: v.kioskId, secret: v.secret });
    }
    return (this.cache = map);
  }
}
