/**
 * A private X server for tests that need a headed window (the browser kiosk): Xvfb with its screen kept
 * in a file (-fbdir, XWD format), so the test can look at what is on the screen without any X client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export interface Screen {
  readonly width: number;
  readonly height: number;
  /** RGB, 3 bytes a pixel, row after row. */
  readonly rgb: Buffer;
}

export interface Xvfb {
  /** The DISPLAY value, e.g. ":42". */
  readonly display: string;
  /** What is on the screen now. */
  screen(): Screen;
  stop(): Promise<void>;
}

/** Starts Xvfb on a free display number (it picks one and tells us through -displayfd). */
export async function startXvfb(width: number, height: number): Promise<Xvfb> {
  const fbdir = mkdtempSync(join(tmpdir(), 'tongban-xvfb-'));
  const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-fbdir', fbdir, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const fd = child.stdio[3] as NodeJS.ReadableStream;
    fd.setEncoding('utf8');
    fd.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    child.once('error', reject);
  });
  return {
    display,
    screen: () => readXwd(readFileSync(join(fbdir, 'Xvfb_screen0'))),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(fbdir, { recursive: true, force: true });
    },
  };
}

/** A ZPixmap XWD of depth 24 at 32 bits a pixel (what Xvfb writes). */
export function readXwd(file: Buffer): Screen {
  const field = (i: number): number => file.readUInt32BE(i * 4);
  const headerSize = field(0);
  const [format, depth, width, height] = [field(2), field(3), field(4), field(5)];
  const byteOrder = field(7); // 0 LSBFirst, 1 MSBFirst
  const bitsPerPixel = field(11);
  const bytesPerLine = field(12);
  const colors = field(19);
  if (format !== 2 || depth !== 24 || bitsPerPixel !== 32) throw new Error(`unexpected XWD: format ${format}, depth ${depth}, ${bitsPerPixel} bpp`);
  const start = headerSize + colors * 12;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = byteOrder === 0 ? file.readUInt32LE(start + y * bytesPerLine + x * 4) : file.readUInt32BE(start + y * bytesPerLine + x * 4);
      const o = (y * width + x) * 3;
      rgb[o] = (v >> 16) & 0xff;
      rgb[o + 1] = (v >> 8) & 0xff;
      rgb[o + 2] = v & 0xff;
    }
  }
  return { width, height, rgb };
}

/** The screen as a PNG file (kept under test-results/ for a person to look at). */
export function writePng(path: string, s: Screen): void {
  const raw = Buffer.alloc((s.width * 3 + 1) * s.height);
  for (let y = 0; y < s.height; y++) s.rgb.copy(raw, y * (s.width * 3 + 1) + 1, y * s.width * 3, (y + 1) * s.width * 3);
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(s.width, 0);
  ihdr.writeUInt32BE(s.height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  writeFileSync(path, Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
