/**
 * The import rules of DEVELOPERS.md, checked through the real ESLint configuration of the repository:
 * each case lints a snippet as if it stood at the given path.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'tongban/layers').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['drivers/idcard/reader.ts', "import { x } from '../../agent/store.js';\nexport const y = x;", 'drivers/ may not import agent/'],
    ['certs/sm2.ts', "export { x } from '../agent/x.js';", 'certs/ may not import agent/'],
    ['sync/client.ts', "import { x } from '../kiosk-ui/app.js';\nexport const y = x;", 'sync/ may not import kiosk-ui/'],
    ['sync/client.ts', "import { x } from '../drivers/escpos.js';\nexport const y = x;", 'sync/ may not import drivers/'],
    ['base/log.ts', "import { x } from '../certs/sm3.js';\nexport const y = x;", 'base/ may not import certs/'],
    ['certs/pdf.ts', "export async function f() { return import('../agent/a.js'); }", 'certs/ may not import agent/'],
    ['kiosk-ui/app.ts', "import { x } from '../agent/store.js';\nexport const y = x;", 'kiosk-ui/ may not import agent/'],
    ['kiosk-ui/app.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;", 'Node-only module "node:fs"'],
    ['kiosk-ui/app.ts', "import fs from 'fs';\nexport const y = fs;", 'Node-only module "fs"'],
    ['kiosk-ui/app.ts', "import Database from 'better-sqlite3';\nexport const y = Database;", 'Node-only module "better-sqlite3"'],
    ['kiosk-ui/app.ts', "import { SerialPort } from '@serialport/stream';\nexport const y = SerialPort;", 'Node-only module "@serialport/stream"'],
    ['kiosk-ui/app.ts', "import { ipcRenderer } from 'electron';\nexport const y = ipcRenderer;", 'Node-only module "electron"'],
  ])('%s: %s is refused', async (path, code, expected) => {
    const errors = await layerErrors(path, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it.each([
    ['agent/cases.ts', "import { x } from '../drivers/idcard.js';\nimport { y } from '../sync/client.js';\nimport { z } from '../certs/sm2.js';\nexport const w = [x, y, z];"],
    ['sync/hash.ts', "import { sm3 } from '../certs/sm3.js';\nexport const h = sm3;"],
    ['drivers/idcard/reader.ts', "import { createLogger } from '../../base/log.js';\nimport { SerialPort } from 'serialport';\nexport const y = [createLogger, SerialPort];"],
    // A folder named like a layer, deeper inside another layer, is not that layer.
    ['drivers/agent/x.ts', "import { y } from './agent.js';\nexport const z = y;"],
    ['kiosk-ui/app.ts', "import type { Health } from '../agent/api/types.js';\nexport type H = Health;"],
    ['test/anything.ts', "import { x } from '../agent/store.js';\nimport fs from 'node:fs';\nexport const y = [x, fs];"],
    // The kiosk's Node side: its build script and its browser tests.
    ['kiosk-ui/test/helpers/kiosk.ts', "import { chromium } from 'playwright-core';\nimport fs from 'node:fs';\nimport { x } from '../../../drivers/test/helpers/cups.js';\nexport const y = [chromium, fs, x];"],
    ['kiosk-ui/build.ts', "import { build } from 'esbuild';\nimport fs from 'node:fs';\nexport const y = [build, fs];"],
  ])('%s: allowed', async (path, code) => {
    expect(await layerErrors(path, code)).toEqual([]);
  });

  it('type-only imports from the agent are limited to its API contract', async () => {
    const errors = await layerErrors('kiosk-ui/app.ts', "import type { Store } from '../agent/store.js';\nexport type S = Store;");
    expect(errors).toHaveLength(1);
  });
});
