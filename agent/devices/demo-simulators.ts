/**
 * Demo mode's devices: the drivers' own simulators (drivers/sim/*) on ptys under DATA/run/, where the
 * real drivers open them like cables. The local API's /api/demo routes drive them (insert a card, scan
 * a code, run out of paper), so that people and tests can play the whole kiosk without hardware.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../base/log.js';
import { IdCardSim, loadCardFixture, type SimCard } from '../../drivers/sim/idcard-sim.js';
import { PrinterSim, type Paper } from '../../drivers/sim/printer-sim.js';
import { ScannerSim } from '../../drivers/sim/scanner-sim.js';
import { demoDevices } from '../config/config.js';

export interface DemoState {
  readonly card: boolean;
  readonly paper: Paper;
  readonly cover: 'open' | 'closed';
  readonly receipts: number;
  readonly scanned: number;
}

export interface DemoSimulators {
  /** Puts the demo card (or the named fixture) on the reader. */
  insertCard(fixture?: string): void;
  removeCard(): void;
  scan(text: string): Promise<void>;
  setPaper(paper: Paper): void;
  setCover(cover: 'open' | 'closed'): void;
  state(): DemoState;
  /** The receipts printed so far: their text lines (for people and tests to check). */
  receipts(): { lines: string[]; qr: string[] }[];
  stop(): Promise<void>;
}

/** Starts the three simulators where demoDevices(dataDir) says the drivers will look for them. */
export async function startDemoSimulators(options: { dataDir: string; card: string; log: Logger }): Promise<DemoSimulators> {
  const [idcardDevice, scannerDevice, receiptDevice] = demoDevices(options.dataDir);
  const pathOf = (d: typeof idcardDevice): string => (d!.transport as { path: string }).path;
  mkdirSync(dirname(pathOf(idcardDevice)), { recursive: true, mode: 0o700 });
  const defaultCard: SimCard = loadCardFixture(options.card);
  const log = options.log.child({ component: 'agent.demo' });

  const started: { stop(): Promise<void> }[] = [];
  try {
    const idcard = await IdCardSim.start(pathOf(idcardDevice), { log });
    started.push(idcard);
    const scanner = new ScannerSim({ link: pathOf(scannerDevice), log });
    await scanner.start();
    started.push(scanner);
    const printer = await PrinterSim.start({ link: pathOf(receiptDevice), log });
    started.push(printer);
    let paper: Paper = 'ok';
    let cover: 'open' | 'closed' = 'closed';
    return {
      insertCard(fixture) {
        idcard.insertCard(fixture === undefined ? defaultCard : loadCardFixture(fixture));
      },
      removeCard: () => idcard.removeCard(),
      scan: (text) => scanner.scan(text),
      setPaper(p) {
        paper = p;
        printer.setPaper(p);
      },
      setCover(c) {
        cover = c;
        if (c === 'open') printer.openCover();
        else printer.closeCover();
      },
      state: () => ({ card: idcard.cardInserted, paper, cover, receipts: printer.receipts.length, scanned: scanner.scanned.length }),
      receipts: () => printer.receipts.map((r) => ({ lines: r.lines.map((l) => l.text), qr: [...r.qr] })),
      stop: () => stopAll(started),
    };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

async function stopAll(items: { stop(): Promise<void> }[]): Promise<void> {
  await Promise.allSettled(items.map((s) => s.stop()));
}
