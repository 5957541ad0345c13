/**
 * Demo mode's devices: the drivers' own simulators (drivers/sim/*) on ptys under DATA/run/, where the
 * real drivers open them like cables. The local API's /api/demo routes drive them (insert a card, scan
 * a code, run out of paper), so that people and tests can play the whole kiosk without hardware.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, messageOf } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { sm3Hex } from '../../certs/sm3.js';
import type { DeviceConfig } from '../../drivers/config.js';
import { IppPrinterSim, type DocumentPaper } from '../../drivers/sim/ipp-printer-sim.js';
import { IdCardSim, loadCardFixture, type SimCard } from '../../drivers/sim/idcard-sim.js';
import { PrinterSim, type Paper } from '../../drivers/sim/printer-sim.js';
import { ScannerSim } from '../../drivers/sim/scanner-sim.js';
import { demoDevices } from '../config/config.js';

export interface DemoState {
  readonly card: boolean;
  readonly paper: Paper;
  readonly cover: 'open' | 'closed';
  readonly receipts: number;
  /** The A4 printer's paper. */
  readonly a4Paper: DocumentPaper;
  /** Documents printed on the A4 printer so far. */
  readonly documents: number;
  readonly scanned: number;
  /** Simulators that could not start (their devices show offline). */
  readonly unavailable?: readonly string[];
}

export interface DemoSimulators {
  /** Puts the demo card (or the named fixture) on the reader. */
  insertCard(fixture?: string): void;
  removeCard(): void;
  /** The next read of the card fails as a dirty or damaged card does (SW3 0x41), or (undefined) reads again. */
  cardFault(fault: 'unreadable' | undefined): void;
  scan(text: string): Promise<void>;
  setPaper(paper: Paper): void;
  /** The A4 printer's paper (ok, nearEnd, out). */
  setDocumentPaper(paper: DocumentPaper): void;
  setCover(cover: 'open' | 'closed'): void;
  state(): DemoState;
  /** The receipts printed so far: their text lines (for people and tests to check). */
  receipts(): { lines: string[]; qr: string[] }[];
  /** The documents printed on the A4 printer so far: the PDF files kept under DATA/run/printed/ and their SM3. */
  documents(): DemoDocument[];
  /** The A4 printer as a device (a CUPS queue at the simulator), when it started. */
  readonly documentDevice: DeviceConfig | undefined;
  stop(): Promise<void>;
}

export interface DemoDocument {
  readonly jobId: number;
  readonly title: string;
  /** Absolute path of the printed PDF. */
  readonly path: string;
  readonly bytes: number;
  readonly sm3: string;
  readonly printedAt: string;
}

/** The demo's A4 printer's device id and CUPS queue name. */
export const DEMO_DOCUMENT_DEVICE = 'a4';

/**
 * Starts the three simulators where demoDevices(dataDir) says the drivers will look for them, and the
 * A4 printer's IPP simulator (its device: `documentDevice`). One that
 * cannot start (no socat, a path taken) is logged and left out: the agent still starts, its device shows
 * offline, and the demo actions on it fail with EnvironmentError saying why.
 */
export async function startDemoSimulators(options: { dataDir: string; card: string; log: Logger }): Promise<DemoSimulators> {
  const [idcardDevice, scannerDevice, receiptDevice] = demoDevices(options.dataDir);
  const pathOf = (d: typeof idcardDevice): string => (d!.transport as { path: string }).path;
  mkdirSync(dirname(pathOf(idcardDevice)), { recursive: true, mode: 0o700 });
  const defaultCard: SimCard = loadCardFixture(options.card);
  const log = options.log.child({ component: 'agent.demo' });
  const problems = new Map<string, string>();

  async function attempt<T>(name: string, start: () => Promise<T>): Promise<T | undefined> {
    try {
      return await start();
    } catch (err) {
      problems.set(name, messageOf(err));
      log.warn('demo simulator not started', { simulator: name, err: messageOf(err) });
      return undefined;
    }
  }
  const idcard = await attempt('idcard', () => IdCardSim.start(pathOf(idcardDevice), { log }));
  const scanner = await attempt('scanner', async () => {
    const sim = new ScannerSim({ link: pathOf(scannerDevice), log });
    await sim.start();
    return sim;
  });
  const printer = await attempt('receipt', () => PrinterSim.start({ link: pathOf(receiptDevice), log }));
  // The A4 printer: an IPP server on a free loopback port; the agent's document device points at it. Its
  // output tray (the printed PDFs, personal data as on paper) is emptied at each start, as paper is taken away.
  const printed = join(options.dataDir, 'run', 'printed');
  rmSync(printed, { recursive: true, force: true });
  const a4 = await attempt('a4', () => IppPrinterSim.start({ dir: printed, queue: DEMO_DOCUMENT_DEVICE, log }));
  const documentDevice: DeviceConfig | undefined = a4 && {
    id: DEMO_DOCUMENT_DEVICE,
    kind: 'document',
    label: 'A4打印机 (模拟)',
    transport: { type: 'cups', queue: a4.queue, server: a4.address },
    // polled every second, as the demo's receipt printer: paper set through /api/demo shows at once
    options: { jobTimeoutMs: 60_000, statusPollMs: 1000 },
  };
  const need = <T>(name: string, sim: T | undefined): T => {
    if (sim === undefined) throw new EnvironmentError('env.simulator', `the demo's ${name} simulator is not running (${problems.get(name) ?? 'not started'})`);
    return sim;
  };

  let paper: Paper = 'ok';
  let cover: 'open' | 'closed' = 'closed';
  return {
    insertCard(fixture) {
      need('idcard', idcard).insertCard(fixture === undefined ? defaultCard : loadCardFixture(fixture));
    },
    removeCard: () => need('idcard', idcard).removeCard(),
    cardFault: (fault) => need('idcard', idcard).setFault(fault ? { kind: 'sw3', command: 'read', sw3: 0x41, times: 1 } : undefined),
    scan: async (text) => need('scanner', scanner).scan(text),
    setPaper(p) {
      need('receipt', printer).setPaper(p);
      paper = p;
    },
    setDocumentPaper(p) {
      need('a4', a4).setPaper(p);
    },
    setCover(c) {
      const sim = need('receipt', printer);
      if (c === 'open') sim.openCover();
      else sim.closeCover();
      cover = c;
    },
    state: () => ({
      card: idcard?.cardInserted ?? false,
      paper,
      cover,
      receipts: printer?.receipts.length ?? 0,
      a4Paper: a4?.paperState ?? 'ok',
      documents: a4?.printed.length ?? 0,
      scanned: scanner?.scanned.length ?? 0,
      ...(problems.size ? { unavailable: [...problems.keys()] } : {}),
    }),
    receipts: () => (printer?.receipts ?? []).map((r) => ({ lines: r.lines.map((l) => l.text), qr: [...r.qr] })),
    documents: () =>
      (a4?.printed ?? []).map((d) => {
        let sm3 = '';
        try {
          sm3 = sm3Hex(readFileSync(d.file));
        } catch {
          // removed by hand since: listed without its hash
        }
        return { jobId: d.jobId, title: d.title, path: d.file, bytes: d.bytes, sm3, printedAt: d.printedAt };
      }),
    documentDevice,
    stop: async () => {
      await Promise.allSettled([idcard?.stop(), scanner?.stop(), printer?.stop(), a4?.stop()]);
    },
  };
}
