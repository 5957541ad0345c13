/**
 * A private cupsd for one test file: its own ServerRoot, spool, cache, state, log and temp dirs in a temp
 * directory, listening on a free 127.0.0.1 port, with cups-pdf queues whose output goes to a temp dir.
 * It neither needs nor touches a system cupsd (if one runs, it keeps running undisturbed).
 *
 * cups-pdf reads its configuration from a fixed place: /etc/cups/cups-pdf-<NAME>.conf when the device
 * URI is cups-pdf:/<NAME>. Each queue here gets a unique NAME, its own conf file there (written on
 * addPdfQueue, removed on stop), and so its own output dir. Needs root (cupsd as root, cups-pdf's backend
 * is root-only), as on the development and CI machines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PPD = '/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** cups-pdf confs in /etc/cups not yet removed: removed on exit too, should a test file die early. */
const LEFTOVERS = new Set<string>();
process.once('exit', () => {
  for (const c of LEFTOVERS) rmSync(c, { force: true });
});

export interface PdfQueue {
  name: string;
  outDir: string;
  /** The newest PDF cups-pdf wrote for this queue, if any. */
  newestPdf(): string | undefined;
  /** Every PDF cups-pdf wrote for this queue (names carry the job id: Label 1). */
  pdfs(): string[];
}

export class PrivateCups {
  private readonly confFiles: string[] = [];
  private exited = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateCups> {
    if (process.getuid?.() !== 0) {
      throw new Error('the private cupsd needs root (cupsd and the cups-pdf backend run as root), as on the development and CI machines');
    }
    const dir = mkdtempSync(join(tmpdir(), 'tongban-cups-'));
    // Filters run as user lp: the tree must be traversable, temp and output writable.
    chmodSync(dir, 0o755);
    for (const d of ['conf', 'conf/ppd', 'spool', 'cache', 'state', 'log', 'tmp']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, 'tmp'), 0o1777);
    const port = await freePort();
    writeFileSync(
      join(dir, 'conf/cupsd.conf'),
      `Listen 127.0.0.1:${port}
LogLevel debug
Browsing No
DefaultAuthType None
WebInterface No
MaxLogSize 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
`,
    );
    writeFileSync(
      join(dir, 'conf/cups-files.conf'),
      `ServerRoot ${dir}/conf
RequestRoot ${dir}/spool
CacheDir ${dir}/cache
StateDir ${dir}/state
TempDir ${dir}/tmp
AccessLog ${dir}/log/access_log
ErrorLog ${dir}/log/error_log
PageLog ${dir}/log/page_log
`,
    );
    const child = spawn('/usr/sbin/cupsd', ['-f', '-c', join(dir, 'conf/cupsd.conf'), '-s', join(dir, 'conf/cups-files.conf')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const cups = new PrivateCups(dir, port, child);
    // Ready when the scheduler answers (lpstat -r asks it over IPP).
    for (let i = 0; i < 200; i++) {
      if (cups.exited) break;
      const r = spawnSync('lpstat', ['-h', cups.server, '-r'], { encoding: 'utf8' });
      if (r.status === 0 && /is running/.test(r.stdout)) return cups;
      await new Promise((res) => setTimeout(res, 50));
    }
    await cups.stop();
    throw new Error(`private cupsd did not start: ${stderr}${cups.log()}`);
  }

  /** Runs a CUPS admin tool against this server; throws with its stderr on failure. */
  run(tool: string, args: string[]): string {
    const r = spawnSync(tool, ['-h', this.server, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Adds an enabled cups-pdf queue writing into a fresh temp dir. */
  addPdfQueue(prefix = 'TB_PDF'): PdfQueue {
    const name = `${prefix}_${randomBytes(4).toString('hex')}`;
    const outDir = join(this.dir, `out-${name}`);
    mkdirSync(outDir, { mode: 0o1777 });
    chmodSync(outDir, 0o1777);
    const conf = `/etc/cups/cups-pdf-${name}.conf`;
    mkdirSync('/etc/cups', { recursive: true });
    writeFileSync(conf, `Out ${outDir}\nAnonDirName ${outDir}\nLabel 1\n`);
    this.confFiles.push(conf);
    LEFTOVERS.add(conf);
    this.run('lpadmin', ['-p', name, '-E', '-v', `cups-pdf:/${name}`, '-P', PPD]);
    return {
      name,
      outDir,
      newestPdf() {
        const pdfs = readdirSync(outDir)
          .filter((f) => f.endsWith('.pdf'))
          .map((f) => ({ f: join(outDir, f), t: statSync(join(outDir, f)).mtimeMs }))
          .sort((a, b) => b.t - a.t);
        return pdfs[0]?.f;
      },
      pdfs() {
        return readdirSync(outDir)
          .filter((f) => f.endsWith('.pdf'))
          .sort()
          .map((f) => join(outDir, f));
      },
    };
  }

  log(): string {
    const p = join(this.dir, 'log/error_log');
    return existsSync(p) ? readFileSync(p, 'utf8').split('\n').slice(-40).join('\n') : '';
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((res) => this.child.once('exit', () => res()));
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    for (const c of this.confFiles.splice(0)) {
      rmSync(c, { force: true });
      LEFTOVERS.delete(c);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The text of a PDF as pdftotext reads it. */
export function pdfText(path: string): string {
  const r = spawnSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdftotext ${path} failed: ${r.stderr}`);
  return r.stdout;
}
