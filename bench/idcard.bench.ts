/**
 * A full ID card read (find -> select -> read base info) by the real driver through a pty, against the
 * simulator pacing its replies at 115200 baud, compared with the wire time of the bytes exchanged: the
 * issue's target is at most 1.3x. Wire time counts both directions serialised (host frames and replies,
 * 10 bits a byte at 115200), as one half-duplex exchange would take on a cable; the SAM's own processing
 * time (on real readers a few tens of ms for the card's radio exchange) is not simulated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBaseInfo, encodeText, parseBaseInfo } from '../drivers/idcard/base-info.js';
import { FrameExtractor, encodeReply } from '../drivers/idcard/frame.js';
import { IdCardReader } from '../drivers/idcard/reader.js';
import { IdCardSim, loadCardFixture } from '../drivers/sim/idcard-sim.js';
import type { BenchModule } from './lib.js';

const BAUD = 115200;
const wireMs = (bytes: number): number => (bytes * 10 * 1000) / BAUD;

const bench: BenchModule = {
  description: 'ID card: full read through a pty at 115200 vs the wire time of the bytes exchanged; codec speed',
  async run(b) {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-idbench-'));
    const card = loadCardFixture('resident-longterm.json');
    const sim = await IdCardSim.start(join(dir, 'tty'), { baud: BAUD, card });
    const reader = IdCardReader.serial(sim.path);
    try {
      await reader.open();
      for (const withFingerprint of [false, true]) {
        const label = withFingerprint ? 'read with fingerprint (30 10)' : 'read (30 01)';
        // Bytes of one read, counted on both ends.
        const out0 = reader.bytesOut;
        const in0 = reader.bytesIn;
        await reader.readCard({ timeoutMs: 2000, withFingerprint });
        const bytes = reader.bytesOut - out0 + (reader.bytesIn - in0);
        const wire = wireMs(bytes);
        const m = await b.measure(`full ${label}: find -> select -> read, pty @115200`, () => reader.readCard({ timeoutMs: 2000, withFingerprint }), {
          minTimeMs: 3000,
          warmupMs: 300,
        });
        b.note(`${label}: ${bytes} bytes exchanged per read (both directions) = ${wire.toFixed(1)} ms of wire time at 115200 8N1`);
        b.limit(`${label}: median / wire time`, m.medianMs! / wire, 'x', { atMost: 1.3 });
        b.limit(`${label}: p95 / wire time`, m.p95Ms! / wire, 'x', { atMost: 1.5 });
      }
    } finally {
      await reader.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const reply = encodeReply(0x90, encodeBaseInfo(encodeText(card.content), card.photo));
    await b.measure('codec: extract + parse one base-info reply (1295 bytes)', () => {
      const [item] = new FrameExtractor().push(reply);
      if (item?.kind !== 'frame') throw new Error('bench setup: no frame');
      parseBaseInfo(item.body.subarray(3));
    }, { bytesPerOp: reply.length });
    b.note('p95 bound 1.5x is ours (the issue sets only the 1.3x target); timer granularity of the pacing (2 ms chunks) shows in p95');
  },
};
export default bench;
