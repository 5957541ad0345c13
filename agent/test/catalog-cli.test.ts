/** `tongban catalog list` and `tongban cases example` through the real executable (run `npm run build` first). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/log.js';
import { tongban } from '../../test/helpers/cli.js';
import { parseCaseInput } from '../cases/index.js';
import { applyCatalogUpdate, demoCatalog, ensureCatalog } from '../catalog/index.js';
import { demoCatalogData } from '../catalog/demo-catalog.js';
import { openFieldCipher } from '../pii/field-cipher.js';
import { openStore } from '../store/store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-catalog-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store in `dir` holding catalog version 2: the demo without the last two items. */
function storeWithVersion2(): void {
  const store = openStore({ dataDir: dir, log: silentLogger, cipher: openFieldCipher({ dataDir: dir }) });
  try {
    ensureCatalog(store);
    const next = structuredClone(demoCatalogData) as { version: number; items: unknown[] };
    next.version = 2;
    next.items = next.items.slice(0, 8);
    applyCatalogUpdate(store, next);
  } finally {
    store.close();
  }
}

describe('tongban catalog list', () => {
  it('lists the demo catalog when no agent has run in the data directory', () => {
    const r = tongban(['catalog', 'list', '--data', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('catalog version 1 (demo), 10 items');
    expect(r.stdout).toMatch(/341600-SB-0003 +社会保险参保缴费证明开具 +\[亳州市社会保险中心, 341600\] +全程网办 +即办 +当场出证 social-insurance-proof/);
    expect(r.stdout).toContain('新生儿出生一件事 (一件事: 340802-GA-0006, 340802-YB-0007, 340802-SB-0008)');
  });

  it('--json gives the whole catalog, equal to the validated demo', () => {
    const r = tongban(['catalog', 'list', '--json', '--data', dir]);
    expect(r.code).toBe(0);
    const { source, ...catalog } = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(source).toBe('demo');
    expect(catalog).toEqual(JSON.parse(JSON.stringify(demoCatalog())));
  });

  it('lists the catalog stored by an agent (an update replaced the demo)', () => {
    storeWithVersion2();
    const r = tongban(['catalog', 'list', '--data', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('catalog version 2 (store), 8 items');
    expect(r.stdout).not.toContain('341500-SC-0010');
  });
});

describe('tongban cases example', () => {
  it('prints a case JSON the case input check accepts, for the first item issued on site by default', () => {
    const r = tongban(['cases', 'example', '--data', dir]);
    expect(r.code).toBe(0);
    const input = parseCaseInput(JSON.parse(r.stdout), demoCatalog());
    expect(input.itemCode).toBe('341600-SB-0003');
  });

  it('prints one for a named item, and refuses an item the catalog does not have (exit 2)', () => {
    const r = tongban(['cases', 'example', '--item', '341600-GJJ-0002', '--data', dir]);
    expect(r.code).toBe(0);
    expect(parseCaseInput(JSON.parse(r.stdout), demoCatalog()).materials.map((m) => m.provision)).toEqual(['later', 'electronic', 'electronic']);
    storeWithVersion2();
    const gone = tongban(['cases', 'example', '--item', '341500-SC-0010', '--data', dir]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe('tongban: no item "341500-SC-0010" in the catalog (try: tongban catalog list)\n');
    expect(gone.stdout).toBe('');
  });

  it('refuses an unknown option with a usage error', () => {
    const r = tongban(['cases', 'example', '--colour', 'red']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tongban: Unknown option '--colour'/);
  });
});
