/**
 * agent/electron/updates.ts driving the real electron-updater (its DebUpdater, the generic provider)
 * against a real file host on 127.0.0.1 serving what an operator uploads: the channel file and the
 * package it names. The one thing that is not Electron's: without the Electron binary the updater
 * cannot open Electron's `net` requests, so its own HTTP executor (electron-updater's
 * ElectronHttpExecutor: downloads, checksums, redirects as in the app) opens Node's http requests
 * instead, the transport under the same ClientRequest contract. The app it updates is described by
 * electron-updater's AppAdapter interface, as Electron's adapter would: version, paths, quit hook.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type RequestOptions, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebUpdater } from 'electron-updater';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor.js';
import { createLogger } from '../../base/log.js';
import { startUpdates, updaterSettings, DEFAULT_CHECK_EVERY_MS, type Updater } from '../electron/updates.js';

/** electron-updater's executor over Node's http (Node follows no redirect by itself: the executor's base does). */
class LoopbackHttpExecutor extends ElectronHttpExecutor {
  override createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ReturnType<ElectronHttpExecutor['createRequest']> {
    return request(options, callback);
  }
  protected override addRedirectHandlers(): void {}
}

const PACKAGE = Buffer.from('not a real deb, but the bytes the channel file promises\n'.repeat(64));
const SHA512 = createHash('sha512').update(PACKAGE).digest('base64');

let server: Server;
let base: string;
const requests: string[] = [];
/** channel file name -> its YAML (what the operator uploaded). */
const host = new Map<string, string>();
const tmp = mkdtempSync(join(tmpdir(), 'tongban-updates-'));

function channelFile(version: string, stagingPercentage?: number): string {
  const file = `tongban_${version}_amd64.deb`;
  return [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${SHA512}`,
    `    size: ${PACKAGE.length}`,
    `path: ${file}`,
    `sha512: ${SHA512}`,
    "releaseDate: '2026-11-20T08:00:00.000Z'",
    ...(stagingPercentage === undefined ? [] : [`stagingPercentage: ${stagingPercentage}`]),
    '',
  ].join('\n');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    const body = host.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (path.endsWith('.deb')) res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': PACKAGE.length }).end(PACKAGE);
    else res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tongban/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

/** A packaged tongban 0.1.0 whose resources/app-update.yml points at the host (as electron-builder writes it). */
function packagedApp(name: string): { updater: DebUpdater & Updater; lines: string[] } {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  const configPath = join(dir, 'app-update.yml');
  writeFileSync(configPath, `provider: generic\nurl: ${base}\nupdaterCacheDirName: tongban-updater\n`);
  const cache = join(dir, 'cache');
  const app = {
    version: '0.1.0',
    name: 'tongban',
    isPackaged: true,
    appUpdateConfigPath: configPath,
    userDataPath: join(dir, 'userData'),
    baseCachePath: cache,
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
  const updater = new DebUpdater(undefined, app) as DebUpdater & Updater;
  (updater as unknown as { httpExecutor: unknown }).httpExecutor = new LoopbackHttpExecutor();
  const lines: string[] = [];
  return { updater, lines };
}

function events(updater: DebUpdater): { available: string[]; notAvailable: string[]; downloaded: string[]; errors: string[] } {
  const seen = { available: [] as string[], notAvailable: [] as string[], downloaded: [] as string[], errors: [] as string[] };
  updater.on('update-available', (i) => seen.available.push(i.version));
  updater.on('update-not-available', (i) => seen.notAvailable.push(i.version));
  updater.on('update-downloaded', (i) => seen.downloaded.push(i.version));
  updater.on('error', (e) => seen.errors.push(e.message));
  return seen;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('updaterSettings', () => {
  it('downloads in the background and installs only at quit, never a downgrade', () => {
    expect(updaterSettings()).toEqual({
      autoDownload: true,
      autoInstallOnAppQuit: true,
      autoRunAppAfterInstall: true,
      allowDowngrade: false,
      allowPrerelease: false,
      channel: undefined,
      checkEveryMs: DEFAULT_CHECK_EVERY_MS,
    });
    expect(updaterSettings({ channel: 'beta' })).toMatchObject({ channel: 'beta', allowPrerelease: true, allowDowngrade: false });
    expect(updaterSettings({ channel: 'latest' })).toMatchObject({ channel: 'latest', allowPrerelease: false });
  });

  it('refuses an unknown channel and checks too frequent for a fleet', () => {
    expect(() => updaterSettings({ channel: '../latest' })).toThrow(/unknown update channel/);
    expect(() => updaterSettings({ channel: 'nightly' })).toThrow(/unknown update channel/);
    expect(() => updaterSettings({ checkEveryMs: 1000 })).toThrow(/at most every 5 minutes/);
    expect(() => updaterSettings({ checkEveryMs: Number.NaN })).toThrow();
  });
});

describe('startUpdates with electron-updater on a loopback file host', () => {
  it('finds a newer release in latest-linux.yml, downloads it, checks its sha512 and leaves the install to the next quit', async () => {
    host.set('/tongban/latest-linux.yml', channelFile('0.2.0'));
    host.set('/tongban/tongban_0.2.0_amd64.deb', 'deb');
    const { updater, lines } = packagedApp('newer');
    const seen = events(updater);
    const log = createLogger({ level: 'debug', sink: { write: (l) => lines.push(l) } });
    const running = startUpdates(updater, log, {});
    try {
      await until(() => seen.downloaded.length > 0 || seen.errors.length > 0, 'the download');
      expect(seen.errors).toEqual([]);
      expect(seen.available).toEqual(['0.2.0']);
      expect(seen.downloaded).toEqual(['0.2.0']);
      expect(requests).toContain('/tongban/latest-linux.yml');
      expect(requests).toContain('/tongban/tongban_0.2.0_amd64.deb');
      expect(updater.autoInstallOnAppQuit).toBe(true);
      expect(updater.allowDowngrade).toBe(false);
      expect(lines.join('\n')).toMatch(/update downloaded, installed at the next quit/);
    } finally {
      running.stop();
    }
  });

  it('a package whose bytes do not match the channel file is refused', async () => {
    host.set('/tongban/latest-linux.yml', channelFile('0.2.1').replaceAll(SHA512, createHash('sha512').update('other').digest('base64')));
    host.set('/tongban/tongban_0.2.1_amd64.deb', 'deb');
    const { updater, lines } = packagedApp('tampered');
    const seen = events(updater);
    const running = startUpdates(updater, createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }));
    try {
      await until(() => seen.errors.length > 0, 'the refusal');
      expect(seen.downloaded).toEqual([]);
      expect(seen.errors.join('\n')).toMatch(/sha512 checksum mismatch/);
      expect(lines.join('\n')).toMatch(/update failed/);
    } finally {
      running.stop();
    }
  });

  it('an older release on the host is not installed, even on a channel set explicitly', async () => {
    host.set('/tongban/latest-linux.yml', channelFile('0.0.9'));
    const { updater, lines } = packagedApp('older');
    const seen = events(updater);
    const running = startUpdates(updater, createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }), { channel: 'latest' });
    try {
      await until(() => seen.notAvailable.length > 0 || seen.available.length > 0, 'the answer');
      expect(seen.available).toEqual([]);
      expect(seen.notAvailable).toEqual(['0.0.9']);
    } finally {
      running.stop();
    }
  });

  it('the beta channel reads beta-linux.yml', async () => {
    host.set('/tongban/beta-linux.yml', channelFile('0.3.0-beta.1'));
    host.set('/tongban/tongban_0.3.0-beta.1_amd64.deb', 'deb');
    const { updater, lines } = packagedApp('beta');
    const seen = events(updater);
    const running = startUpdates(updater, createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }), { channel: 'beta' });
    try {
      await until(() => seen.downloaded.length > 0 || seen.errors.length > 0, 'the download');
      expect(seen.errors).toEqual([]);
      expect(seen.available).toEqual(['0.3.0-beta.1']);
      expect(requests).toContain('/tongban/beta-linux.yml');
    } finally {
      running.stop();
    }
  });

  it('a staged rollout at 0 % reaches no kiosk; the staging id is kept in the user data', async () => {
    host.set('/tongban/latest-linux.yml', channelFile('0.4.0', 0));
    const { updater, lines } = packagedApp('staged');
    const seen = events(updater);
    const running = startUpdates(updater, createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } }));
    try {
      await until(() => seen.notAvailable.length > 0 || seen.available.length > 0, 'the answer');
      expect(seen.available).toEqual([]);
      expect(seen.notAvailable).toEqual(['0.4.0']);
      const userData = (updater as unknown as { app: { userDataPath: string } }).app.userDataPath;
      expect(readdirSync(userData)).toContain('.updaterId');
    } finally {
      running.stop();
    }
  });
});
