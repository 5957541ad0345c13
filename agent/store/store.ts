/**
 * `openStore`: the one entry to the agent's durable data. The file and its checks are in
 * open-store.ts; this composes the repositories over it. Only agent/store/ touches `db`.
 */
import type { StoreCipher } from './cipher.js';
import { openStoreCore, type OpenStoreOptions, type StoreCore } from './open-store.js';
import { ApplicantsRepo } from './applicants-repo.js';
import { CasesRepo, type InsertCaseResult, type NewCase } from './cases-repo.js';
import { GroupCommitWriter } from './group-commit.js';
import { MaterialsRepo } from './materials-repo.js';
import { CatalogRepo, CertificatesRepo, DeviceEventsRepo, PrintJobsRepo, SettingsRepo } from './records-repo.js';
import { InboxRepo, OutboxRepo, type NewOutboxEntry } from './sync-repo.js';

export interface Store extends StoreCore {
  readonly cases: CasesRepo;
  readonly applicants: ApplicantsRepo;
  readonly materials: MaterialsRepo;
  readonly outbox: OutboxRepo;
  readonly inbox: InboxRepo;
  readonly catalog: CatalogRepo;
  readonly deviceEvents: DeviceEventsRepo;
  readonly printJobs: PrintJobsRepo;
  readonly certificates: CertificatesRepo;
  readonly settings: SettingsRepo;
  /** Batches writes from many concurrent requests into one durable transaction (group commit). */
  readonly group: GroupCommitWriter;
  /**
   * The case intake path for concurrent callers (the API): `cases.insert` through the group-commit
   * writer. Resolves after the transaction holding the case and its outbox entry is durable.
   */
  intakeCase(input: NewCase, outboxEntry: NewOutboxEntry): Promise<InsertCaseResult>;
  /** The audit log's head (agent/audit), for the sync's heartbeat; null before the first entry. */
  auditHead(): { seq: number; hash: string } | null;
  /** Commits queued group writes, then closes the database. */
  close(): void;
}

export interface OpenStoreWithCipher extends OpenStoreOptions {
  /** agent/pii's FieldCipher (personal fields are sealed with it). */
  readonly cipher: StoreCipher;
}

export function openStore(options: OpenStoreWithCipher): Store {
  const core = openStoreCore(options);
  const outbox = new OutboxRepo(core, options.cipher);
  const cases = new CasesRepo(core, options.cipher, outbox);
  const group = new GroupCommitWriter(core);
  const materials = new MaterialsRepo(core, options.cipher);
  const stale = materials.removeStaleTemps();
  if (stale > 0) options.log.child({ component: 'store' }).info('removed material temp files of an interrupted write', { count: stale });
  const closeCore = core.close.bind(core);
  return Object.assign(core, {
    cases,
    group,
    intakeCase: (input: NewCase, outboxEntry: NewOutboxEntry) => group.run(() => cases.insert(input, outboxEntry), { atomic: true }),
    close() {
      if (core.db.open) group.drainSync();
      closeCore();
    },
    auditHead() {
      const r = core.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
      return r ? { seq: r.seq, hash: r.hash } : null;
    },
    applicants: new ApplicantsRepo(core, options.cipher),
    materials,
    outbox,
    inbox: new InboxRepo(core, options.cipher),
    catalog: new CatalogRepo(core),
    deviceEvents: new DeviceEventsRepo(core),
    printJobs: new PrintJobsRepo(core, options.cipher),
    certificates: new CertificatesRepo(core),
    settings: new SettingsRepo(core),
  });
}

export { STORE_FILE, TONGBAN_APPLICATION_ID } from './open-store.js';
export type { StoreCipher } from './cipher.js';
