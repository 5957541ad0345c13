/**
 * The agent process: owns the data directory, composes the devices (and in demo mode their
 * simulators), serves the local API, and shuts down cleanly on SIGTERM/SIGINT: the API stops taking
 * requests and lets those under way finish (so every acknowledged write is on disk), then devices,
 * simulators and the store close in that order. This is the one place the parts are wired together.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, stderrSink, teeSink, type Logger, type LogLevel } from '../base/log.js';
import { packageInfo } from '../base/package-info.js';
import { defaultFactories } from '../drivers/manager/factories/index.js';
import { DeviceManager } from '../drivers/manager/manager.js';
import { AgentEvents, deviceSockets } from './api/device-socket.js';
import { caseRoutes } from './api/case-routes.js';
import { bundleRoutes } from './api/bundle-routes.js';
import { issueRoutes } from './api/issue-routes.js';
import { materialRoutes } from './api/material-routes.js';
import { printRoutes } from './api/print-routes.js';
import { documentRoutes } from './api/document-routes.js';
import { DocumentJobs } from './printing/document-jobs.js';
import { demoRecordSource } from './issuing/demo-records.js';
import { pickupRoutes } from './api/pickup-routes.js';
import { printedDocuments } from './cases/pickup.js';
import { ReceiptJobs } from './printing/receipt-jobs.js';
import { demoIssuer } from './issuing/issuer.js';
import { configuredIssuer } from './issuing/signer-files.js';
import { catalogRoutes, deviceRoutes, demoRoutes, healthRoutes } from './api/routes.js';
import { demoIdentifyRoutes, identifyRoutes } from './api/identify-routes.js';
import { personalCodeKey } from './identify/personal-code.js';
import { startApiServer, type AnyRoute, type ApiServer } from './api/server.js';
import { ensureApiToken } from './api/token.js';
import { kioskSite } from './api/ui-routes.js';
import { kioskRoutes, type KioskShell } from './api/kiosk-routes.js';
import { DEFAULT_PORT, demoDevices, parseConfig, type AgentConfig } from './config/config.js';
import { lockDataDir, prepareDataDir, removeRuntimeInfo, writeDataDirMarker, writeRuntimeInfo, type DataDirLock } from './data-dir.js';
import { CaseService } from './cases/case-service.js';
import { ensureCatalog } from './catalog/catalog-store.js';
import { openFieldCipher } from './pii/field-cipher.js';
import { recordCurrentKey } from './pii/reencrypt.js';
import { scheduleRetentionPurge } from './purge/schedule.js';
import { syncRoutes } from './api/sync-routes.js';
import { regionRoutes } from './api/region-routes.js';
import { prepareSync } from './sync/start-sync.js';
import { openStore, type Store } from './store/store.js';
import { deviceRecorder } from './devices/device-records.js';
import { startDemoSimulators, type DemoSimulators } from './devices/demo-simulators.js';

export { DEFAULT_PORT };

export interface AgentOptions {
  readonly dataDir: string;
  /** The checked configuration (config/config.ts); default: the embedded demo. */
  readonly config?: AgentConfig;
  readonly host?: string;
  /** Overrides config.api.port (`--port`). */
  readonly port?: number;
  /** Overrides config.log.level (`--log-level`). */
  readonly logLevel?: LogLevel;
  /** The kiosk shell the agent runs in (the Electron main process): staff mode may then quit it (POST /api/staff/quit). */
  readonly shell?: KioskShell;
}

export interface RunningAgent {
  readonly url: string;
  readonly log: Logger;
  readonly token: string;
  /** The API's routes (method, path template). */
  readonly served: ApiServer['served'];
  /** The embedded sync endpoint's ws:// URL, when the agent runs one (no sync.endpoints configured). */
  readonly syncEndpoint: string | undefined;
  stop(reason: string): Promise<void>;
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const config = options.config ?? parseConfig({});
  // The configured certificate signers' files are checked before anything starts (a wrong key fails here, exit 2).
  const issuer = await configuredIssuer(config.issuing, config.demo.enabled ? demoIssuer() : undefined);
  // A foreign, damaged or newer data directory is refused here, before anything is written into it.
  const dataDirState = prepareDataDir(options.dataDir);
  const lock: DataDirLock = lockDataDir(options.dataDir);
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const file = createWriteStream(join(logDir, 'agent.log'), { flags: 'a', mode: 0o600 });
  const log = createLogger({ level: options.logLevel ?? config.log.level, sink: teeSink(stderrSink, file), fields: { component: 'agent' } });
  const { version } = packageInfo();
  const startedAt = new Date();

  // Everything opened so far, closed in reverse order if a later step fails or when the agent stops.
  const closers: { name: string; close: () => Promise<void> | void }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c.close();
      } catch (err) {
        log.warn('close failed', { part: c.name, err });
      }
    }
  };
  closers.push({ name: 'lock', close: () => lock.release() });
  closers.push({ name: 'log', close: () => new Promise<void>((resolve) => file.end(resolve)) });

  let api: ApiServer;
  try {
    const token = ensureApiToken(options.dataDir);
    // A corrupt or foreign store stops the start here, with the store's own message (never a reset).
    const cipher = openFieldCipher({ dataDir: options.dataDir, log });
    const store: Store = openStore({ dataDir: options.dataDir, log, cipher });
    closers.push({ name: 'store', close: () => store.close() });
    // Marked once its store has opened: from now on the directory is known as tongban's, and a lost store.db is refused.
    if (dataDirState.kind === 'unmarked') writeDataDirMarker(options.dataDir, version);
    recordCurrentKey(store.db, cipher);
    // Personal data of cases completed and synced more than purge.retentionDays ago is erased (agent/purge).
    const retention = scheduleRetentionPurge({ store, cipher, retentionDays: config.purge.retentionDays, intervalMs: config.purge.intervalMinutes * 60_000, log });
    closers.push({ name: 'retention purge', close: () => retention.stop() });
    // The catalog in the store; at the first start (catalog.source "demo") the demo catalog is installed.
    let catalog = ensureCatalog(store); // replaced by an update from the endpoint
    const cases = new CaseService({ store, catalog: () => catalog });
    // Sync (issue 6): the configured endpoints or the embedded one, made ready while the devices start
    // (the callbacks run only once the service has started, after the API is ready).
    const syncStarting = prepareSync({
      dataDir: options.dataDir,
      config: config.sync,
      store,
      cases,
      catalog: () => catalog,
      onCatalog: (next) => (catalog = next),
      onCasesChanged: (changes) => changes.forEach((c) => events.emit('Agent.CaseChangedEvent', { ...c })),
      devices: () => manager.status().map((h) => ({ device: h.id, state: h.state, ...(h.detail ? { detail: h.detail.slice(0, 200) } : {}) })),
      agentVersion: version,
      log,
    });
    syncStarting.catch(() => undefined); // its failure is thrown where it is awaited below
    closers.push({ name: 'sync', close: async () => (await syncStarting.catch(() => undefined))?.stop() });

    let demo: DemoSimulators | undefined;
    if (config.demo.enabled) {
      demo = await startDemoSimulators({ dataDir: options.dataDir, card: config.demo.card, log });
      closers.push({ name: 'simulators', close: () => demo!.stop() });
    }
    const manager = new DeviceManager({
      // In demo mode a configured A4 printer (a CUPS queue) replaces the simulated one.
      devices: config.demo.enabled ? [...demoDevices(options.dataDir), ...(config.devices.length ? config.devices : demo?.documentDevice ? [demo.documentDevice] : [])] : config.devices,
      factories: defaultFactories,
      log: log.child({ component: 'agent.devices' }),
    });
    closers.push({ name: 'devices', close: () => manager.close() });
    const recorder = deviceRecorder(store, log.child({ component: 'agent.devices' }));
    const offRecords = manager.subscribe((m) => recorder.status(m));
    closers.push({ name: 'device records', close: () => void offRecords() });
    // Kept receipts (paper out) print by themselves when the printer is ready again; watching from before the start sees its first ready.
    // A receipt says when its case waits for the network (the sync's state, known once it has started).
    const started: { sync?: Awaited<typeof syncStarting> } = {};
    const endpointReachable = (region: string): boolean =>
      started.sync?.status().endpoints.some((e) => e.connected && (e.regions === '*' || e.regions.includes(region))) ?? false;
    const receipts = new ReceiptJobs({ store, cases, catalog: () => catalog, manager, endpointReachable, log: log.child({ component: 'agent.print' }) });
    closers.push({ name: 'receipt retries', close: receipts.watchPrinter() });
    // Certificates and result documents on the A4 printer (the demo's IPP simulator or a CUPS queue).
    const documents = new DocumentJobs({ store, cases, manager, log: log.child({ component: 'agent.print' }) });
    await manager.start(); // never rejects: a missing device waits to reconnect

    const events = new AgentEvents();
    const sync = await syncStarting;
    started.sync = sync;
    // Demo mode: the departments certificates are issued from (reachable or not, PUT /api/demo/departments).
    const departments = { reachable: true };
    const routes: AnyRoute[] = [...healthRoutes({ version, startedAt, demo: demo !== undefined }), ...catalogRoutes(() => catalog), ...caseRoutes(cases, events), ...issueRoutes(cases, store, () => catalog, issuer, events, demo ? demoRecordSource(undefined, departments) : undefined), ...materialRoutes(cases, store, () => catalog, events), ...bundleRoutes(cases, () => catalog, events), ...deviceRoutes(manager), ...printRoutes(receipts, store, documents), ...documentRoutes(cases, store, documents), ...(demo ? demoRoutes(demo, departments) : [])];
    routes.push(...pickupRoutes({ store, cases, catalog: () => catalog, printedDocuments: (caseId) => printedDocuments(store, caseId) }));
    routes.push(...syncRoutes(sync));
    // The kiosk pages' settings, the staff PIN and the test print (issue 7).
    routes.push(...kioskRoutes({ ui: config.ui, demo: demo !== undefined, store, receipts, log: log.child({ component: 'agent.kiosk' }), shell: options.shell }));
    // The personal QR code's key (DATA/keys/identity-code.secret); in demo mode the agent also issues codes.
    const codeKey = personalCodeKey(options.dataDir);
    routes.push(...identifyRoutes(codeKey, store.db, log.child({ component: 'agent.identify' })), ...(demo ? demoIdentifyRoutes(codeKey, config.demo.card, demo) : []));
    routes.push(...regionRoutes());
    api = await startApiServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? config.api.port,
      token,
      routes,
      sockets: deviceSockets({ manager, events, log: log.child({ component: 'agent.ws' }), observe: (m, device) => recorder.reply(m, device) }),
      maxBodyBytes: config.api.maxBodyBytes,
      log: log.child({ component: 'agent.api' }),
      site: kioskSite(),
    });
    closers.push({ name: 'api', close: () => api.close() });
    sync.start();
    writeRuntimeInfo(options.dataDir, { pid: process.pid, url: api.url, version, startedAt: startedAt.toISOString(), ...(sync.embeddedUrl ? { syncEndpoint: sync.embeddedUrl } : {}) });
    closers.push({ name: 'runtime file', close: () => removeRuntimeInfo(options.dataDir) });
    log.info('agent ready', { url: api.url, dataDir: options.dataDir, version, demo: demo !== undefined, syncEndpoint: sync.embeddedUrl ?? null });

    let stopping: Promise<void> | undefined;
    return {
      url: api.url,
      log,
      token,
      served: api.served,
      syncEndpoint: sync.embeddedUrl,
      stop(reason) {
        stopping ??= (async () => {
          log.info('agent stopping', { reason });
          // The log closes last (closers run in reverse), after the stopped line.
          const logCloser = closers.splice(1, 1)[0]!;
          await closeAll();
          log.info('agent stopped');
          await logCloser.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
