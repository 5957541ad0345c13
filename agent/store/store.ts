/**
 * `openStore`: the one entry to the agent's durable data. The file and its checks are in
 * open-store.ts; this composes the repositories over it. Only agent/store/ touches `db`.
 */
import type { StoreCipher } from './cipher.js';
import { openStoreCore, type OpenStoreOptions, type StoreCore } from './open-store.js';
import { ApplicantsRepo } from './applicants-repo.js';
import { CasesRepo } from './cases-repo.js';
import { MaterialsRepo } from './materials-repo.js';
import { CatalogRepo, CertificatesRepo, DeviceEventsRepo, PrintJobsRepo, SettingsRepo } from './records-repo.js';
import { InboxRepo, OutboxRepo } from './sync-repo.js';

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
}

export interface OpenStoreWithCipher extends OpenStoreOptions {
  /** agent/pii's FieldCipher (personal fields are sealed with it). */
  readonly cipher: StoreCipher;
}

export function openStore(options: OpenStoreWithCipher): Store {
  const core = openStoreCore(options);
  const outbox = new OutboxRepo(core, options.cipher);
  return Object.assign(core, {
    cases: new CasesRepo(core, options.cipher, outbox),
    applicants: new ApplicantsRepo(core, options.cipher),
    materials: new MaterialsRepo(core, options.cipher),
    outbox,
    inbox: new InboxRepo(core),
    catalog: new CatalogRepo(core),
    deviceEvents: new DeviceEventsRepo(core),
    printJobs: new PrintJobsRepo(core, options.cipher),
    certificates: new CertificatesRepo(core),
    settings: new SettingsRepo(core),
  });
}

export { STORE_FILE, TONGBAN_APPLICATION_ID } from './open-store.js';
export type { StoreCipher } from './cipher.js';
