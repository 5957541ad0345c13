/**
 * electron-builder.yml is what issue 8 asks, read by electron-builder's own loader and checked against
 * its own schema (app-builder-lib, as `npm run dist` would), with its own file matchers deciding what
 * goes into the app and what is unpacked from the asar. The Linux kiosk session files it installs are
 * validated (desktop-file-validate, apt desktop-file-utils) and the session script is run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import * as fileMatcher from 'app-builder-lib/out/fileMatcher.js';
import type { FileMatcher } from 'app-builder-lib/out/fileMatcher.js';
import { expandMacro } from 'app-builder-lib/out/util/macroExpander.js';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util/out/DebugLogger.js';
import { build } from 'esbuild';
import { builtinModules } from 'node:module';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
let config: Configuration;
const tmp = mkdtempSync(join(tmpdir(), 'tongban-builder-'));

beforeAll(async () => {
  config = await getConfig(root, null, null);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The targets of a platform as [name, arch[]] pairs. */
function targets(platform: 'linux' | 'win'): [string, string[]][] {
  const list = (config[platform]?.target ?? []) as { target: string; arch?: string[] }[];
  return list.map((t) => [t.target, [...(t.arch ?? [])].sort()]);
}

// platformPackager's own two (marked internal, so absent from the type declarations).
const { getFileMatchers, getMainFileMatchers, getNodeModuleFileMatcher } = fileMatcher as unknown as typeof fileMatcher & {
  getMainFileMatchers(appDir: string, destination: string, expand: (p: string) => string, options: object, packager: unknown, outDir: string, isElectronCompile: boolean): FileMatcher[];
  getNodeModuleFileMatcher(appDir: string, destination: string, expand: (p: string) => string, options: object, packagerInfo: unknown): FileMatcher;
};

const anyFile = { isDirectory: () => false, isFile: () => true, isSymbolicLink: () => false } as unknown as Stats;
const statOf = (abs: string): Stats => (existsSync(abs) ? statSync(abs) : anyFile);

/**
 * What electron-builder puts into the app, decided by its own matchers: getMainFileMatchers for the
 * project's files (our `files` with its default exclusions), getNodeModuleFileMatcher for the
 * production node_modules (only our `!` patterns apply there), as platformPackager does.
 */
function shipped(): (path: string) => boolean {
  const info = { isPrepackedAppAsar: false, config, projectDir: root, buildResourcesDir: join(root, 'packaging'), debugLogger: new DebugLogger(false) };
  const [main] = getMainFileMatchers(root, join(tmp, 'app'), (p: string) => p, {}, { info } as never, join(root, 'release'), false);
  const mainFilter = main!.createFilter();
  const modules = getNodeModuleFileMatcher(root, join(tmp, 'app'), (p: string) => p, {}, info as never);
  return (path) => {
    const abs = join(root, path);
    if (!path.startsWith('node_modules/')) return mainFilter(abs, statOf(abs));
    const stat = Object.assign(Object.create(statOf(abs)) as Stats, { moduleFullFilePath: path });
    return modules.createFilter()(abs, stat);
  };
}

/** electron-builder's asarUnpack matcher, as a predicate of project-relative paths. */
function unpackedFromAsar(): (path: string) => boolean {
  const matchers = getFileMatchers(config, 'asarUnpack', join(tmp, 'app'), { macroExpander: (p: string) => p, customBuildOptions: {}, globalOutDir: join(root, 'release'), defaultSrc: root });
  if (!matchers || matchers.length !== 1) throw new Error('one asarUnpack matcher expected');
  const filter = matchers[0]!.createFilter();
  return (path) => filter(join(root, path), statOf(join(root, path)));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

describe('electron-builder.yml', () => {
  it("is valid by electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('org.tongban.kiosk');
  });

  it('builds deb and AppImage for x64 and arm64, and an NSIS installer for Windows', () => {
    expect(targets('linux')).toEqual([
      ['AppImage', ['arm64', 'x64']],
      ['deb', ['arm64', 'x64']],
    ]);
    expect(targets('win')).toEqual([['nsis', ['x64']]]);
    expect(pkg.scripts['dist']).toMatch(/^npm run build && electron-builder --linux --win\b/);
  });

  it("npm run dist gives the deb the maintainer and web page electron-builder requires, from the operator's environment", async () => {
    // electron-builder refuses a deb without a maintainer (or author e-mail) and a homepage; the
    // project has neither to invent, so the builder of the installers names them.
    const script = pkg.scripts['dist']!;
    expect(script).toContain('-c.deb.maintainer="${TONGBAN_MAINTAINER:?');
    expect(script).toContain('-c.extraMetadata.homepage="${TONGBAN_HOMEPAGE:?');
    const missing = spawnSync('sh', ['-c', `${script.replace(/^npm run build && electron-builder/, 'echo')}`], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/TONGBAN_MAINTAINER/);
    const given = spawnSync('sh', ['-c', `${script.replace(/^npm run build && electron-builder/, 'printf "%s\\n"')}`], {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', TONGBAN_MAINTAINER: '某市政务服务中心 <ops@example.gov.cn>', TONGBAN_HOMEPAGE: 'https://example.gov.cn/tongban' },
    });
    expect(given.status).toBe(0);
    expect(given.stdout).toContain('-c.deb.maintainer=某市政务服务中心 <ops@example.gov.cn>\n');
    const withOperator = { ...config, deb: { ...config.deb, maintainer: '某市政务服务中心 <ops@example.gov.cn>' }, extraMetadata: { homepage: 'https://example.gov.cn/tongban' } };
    await expect(validateConfiguration(withOperator, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('packages the Electron the project names, with the shell as its entry point', () => {
    expect(config.electronVersion).toBe(pkg.optionalDependencies['electron']);
    expect(pkg.main).toBe('dist/agent/electron/main.js');
    expect(existsSync(join(root, 'agent', 'electron', 'main.ts'))).toBe(true);
  });

  it('ships the compiled app, its pages and the fonts the certificates use; not the sources, maps, Electron or unused font weights', () => {
    const included = shipped();
    for (const path of ['package.json', pkg.main, 'dist/agent/electron/shell.js', 'dist/kiosk-ui/index.html', 'drivers/sim/fixtures/resident-dated.json', 'node_modules/better-sqlite3/lib/index.js', 'node_modules/electron-updater/out/main.js']) {
      expect(included(path), path).toBe(true);
    }
    // Every font file the certificate and seal code loads (named in their sources) is in the app.
    const fontRefs = ['certs/pdf/fonts.ts', 'certs/seal/font.ts'].flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/'(@expo-google-fonts\/[^']+\.ttf)'/g)].map((m) => m[1]!));
    expect(fontRefs.length).toBeGreaterThanOrEqual(2);
    for (const font of fontRefs) expect(included(`node_modules/${font}`), font).toBe(true);
    for (const path of [
      'agent/electron/shell.ts',
      'dist/agent/electron/main.js.map',
      'dist/agent/electron/main.d.ts',
      'node_modules/electron/dist/electron',
      'node_modules/electron/package.json',
      'node_modules/@expo-google-fonts/noto-serif-sc/300Light/NotoSerifSC_300Light.ttf',
      'node_modules/@expo-google-fonts/noto-serif-sc/900Black/NotoSerifSC_900Black.ttf',
      'bench/run.ts',
      'electron-builder.yml',
      'release/linux-unpacked/tongban-kiosk',
    ]) {
      expect(included(path), path).toBe(false);
    }
  });

  it('everything the Electron entry imports at run time is a production dependency the app ships', async () => {
    // The entry's whole import graph (dist/, as built), packages left external: what the app needs from node_modules.
    const result = await build({ entryPoints: [join(root, pkg.main)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
    const external = new Set(Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path)));
    const packages = [...external].filter((p) => !p.startsWith('node:') && !builtinModules.includes(p)).map((p) => (p.startsWith('@') ? p.split('/').slice(0, 2).join('/') : p.split('/')[0]!));
    expect(packages).toEqual(expect.arrayContaining(['better-sqlite3', 'serialport', 'node-hid', 'ws']));
    // electron-updater is loaded by a computed import (agent/electron/updates.ts), so named here.
    const included = shipped();
    for (const name of new Set([...packages, 'electron-updater'])) {
      expect(Object.keys(pkg.dependencies), `${name} is a dependency (devDependencies are not in the app)`).toContain(name);
      expect(included(`node_modules/${name}/package.json`), `${name} ships`).toBe(true);
    }
  });

  it('rebuilds native modules for Electron and unpacks every one of their binaries from the asar', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(config.asar).toBe(true);
    const unpacked = unpackedFromAsar();
    for (const mod of ['better-sqlite3', 'node-hid', '@serialport/bindings-cpp']) {
      expect(Object.keys(pkg.dependencies).some((d) => mod === d || mod.startsWith('@serialport/'))).toBe(true);
      const binaries = walk(join(root, 'node_modules', mod)).filter((f) => f.endsWith('.node'));
      expect(binaries.length, `${mod} has a native binary here`).toBeGreaterThan(0);
      for (const bin of binaries) expect(unpacked(relative(root, bin)), bin).toBe(true);
    }
    expect(unpacked('dist/agent/agent.js')).toBe(false);
  });

  it('sets the fuses: no run-as-node, NODE_OPTIONS or inspector; the app only from a checked asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it("publishes for electron-updater's generic provider at the operator's file host, named when building", () => {
    const publish = config.publish as { provider: string; url: string }[];
    expect(publish).toEqual([{ provider: 'generic', url: '${env.TONGBAN_UPDATE_URL}' }]);
    expect(config.detectUpdateChannel).toBe(true);
    const appInfo = { productName: 'tongban', sanitizedProductName: 'tongban', productFilename: 'tongban', version: '0.1.0', id: 'org.tongban.kiosk', channel: null, buildNumber: undefined, buildVersion: '0.1.0', name: 'tongban', companyName: null };
    const saved = process.env['TONGBAN_UPDATE_URL'];
    try {
      delete process.env['TONGBAN_UPDATE_URL'];
      expect(() => expandMacro(publish[0]!.url, 'x64', appInfo as never)).toThrow(/TONGBAN_UPDATE_URL is not defined/);
      process.env['TONGBAN_UPDATE_URL'] = 'https://files.example/tongban';
      expect(expandMacro(publish[0]!.url, 'x64', appInfo as never)).toBe('https://files.example/tongban');
    } finally {
      if (saved === undefined) delete process.env['TONGBAN_UPDATE_URL'];
      else process.env['TONGBAN_UPDATE_URL'] = saved;
    }
  });
});

describe('the Linux kiosk session (deb)', () => {
  const fpm = (): [string, string][] => ((config.deb?.fpm ?? []) as string[]).map((arg) => arg.split('=') as [string, string]);

  it('installs an XDG autostart entry, an X session and its script, all valid', () => {
    expect(fpm().map(([, to]) => to)).toEqual(['/etc/xdg/autostart/tongban-kiosk.desktop', '/usr/share/xsessions/tongban-kiosk.desktop', '/usr/bin/tongban-kiosk-session']);
    for (const [from] of fpm()) expect(existsSync(join(root, from)), from).toBe(true);
    for (const [from, to] of fpm().filter(([f]) => f.endsWith('.desktop'))) {
      const check = spawnSync('desktop-file-validate', [join(root, from)], { encoding: 'utf8' });
      expect(check.error, 'desktop-file-validate (apt desktop-file-utils) is installed').toBeUndefined();
      expect(check.stdout + check.stderr, from).toBe('');
      expect(check.status).toBe(0);
      const exec = /^Exec=(\S+)/m.exec(readFileSync(join(root, from), 'utf8'))?.[1];
      // The deb links the app's executable into /usr/bin under linux.executableName.
      const expected = to.includes('xsessions') ? '/usr/bin/tongban-kiosk-session' : `/usr/bin/${config.linux?.executableName}`;
      expect(exec, from).toBe(expected);
    }
    const [script] = fpm().filter(([, to]) => to === '/usr/bin/tongban-kiosk-session').map(([from]) => join(root, from));
    accessSync(script!, constants.X_OK);
    execFileSync('sh', ['-n', script!]);
    expect(config.deb?.depends).toEqual(expect.arrayContaining(['libusb-1.0-0', 'cups-client']));
  });

  it('the session runs the kiosk until it exits 0 (staff quit) and starts it again after a crash', () => {
    const script = join(root, 'packaging/linux/tongban-kiosk-session');
    const runs = join(tmp, 'runs');
    const kiosk = join(tmp, 'kiosk');
    // A kiosk that crashes twice, then is quit by staff; it records each start and its arguments.
    writeFileSync(kiosk, `#!/bin/sh\necho "$*" >> ${runs}\nn=$(wc -l < ${runs})\n[ "$n" -ge 3 ] && exit 0\nexit 70\n`);
    chmodSync(kiosk, 0o755);
    const run = spawnSync('sh', [script, '--data', '/var/lib/tongban'], {
      encoding: 'utf8',
      env: { ...process.env, TONGBAN_KIOSK: kiosk, TONGBAN_KIOSK_RESTART_DELAY: '0', DISPLAY: '' },
      timeout: 20_000,
    });
    expect(run.status).toBe(0);
    expect(readFileSync(runs, 'utf8')).toBe('--data /var/lib/tongban\n'.repeat(3));
    expect(run.stderr).toMatch(/exited with 70; starting it again/);
  });
});
