/**
 * 证明开具 outside demo mode with a real signer (configuration issuing.signers): the key, certificate
 * and seal made with `tongban certs` (a root CA that also makes seals, a department signer), checked at
 * start, used by POST /api/cases/{id}/issue; the PDF verifies with `tongban certs verify --trust`.
 * Wrong files are refused at start, naming the configuration key and the file.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleData } from '../../certs/pdf/templates/index.js';
import { tongban } from '../../test/helpers/cli.js';
import { startAgent, type RunningAgent } from '../agent.js';
import { EXAMPLE_APPLICANT, exampleCase } from '../cases/index.js';
import { demoCatalog } from '../catalog/catalog.js';
import { requireItem } from '../catalog/index.js';
import { loadConfig, parseConfig } from '../config/config.js';
import { configuredIssuer } from '../issuing/signer-files.js';
import { apiCall } from './helpers/api.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-issuing-'));
const pki = (name: string): string => join(dir, name);
let agent: RunningAgent | undefined;

function certs(args: string[]): void {
  const r = tongban(['certs', ...args], { cwd: dir });
  if (r.code !== 0) throw new Error(`tongban certs ${args.join(' ')}: ${r.stderr}`);
}

beforeAll(() => {
  // What an operator does: a root CA (here also the seal maker), a department's key and certificate, its seal.
  certs(['keygen', '--out', 'root.key']);
  certs(['cert', '--key', 'root.key', '--subject', 'CN=测试根证书,O=Test,C=CN', '--ca', '--out', 'root.pem']);
  certs(['keygen', '--out', 'hrss.key']);
  certs(['cert', '--key', 'hrss.key', '--subject', 'CN=测试人社局,O=Test,C=CN', '--ca-key', 'root.key', '--ca-cert', 'root.pem', '--out', 'hrss.pem']);
  certs(['seal', 'create', '--maker-key', 'root.key', '--maker-cert', 'root.pem', '--signer-cert', 'hrss.pem', '--name', '测试人社局业务专用章', '--organisation', '测试人社局', '--purpose', '业务专用章', '--out', 'hrss-seal.der']);
}, 60_000);
afterAll(async () => {
  await agent?.stop('test over');
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, signers: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ demo: { enabled: false }, api: { port: 0 }, log: { level: 'error' }, issuing: { signers } }));
  return file;
}

describe('issuing with a configured signer (not demo)', () => {
  it('seals with the configured files; the PDF verifies against the operator’s root; a template without a signer is 409', async () => {
    // Relative paths are taken from the configuration file's directory.
    const config = loadConfig(writeConfig('kiosk.json', { 'social-insurance-proof': { seal: 'hrss-seal.der', key: 'hrss.key', cert: 'hrss.pem' } }));
    expect(config.issuing.signers['social-insurance-proof']!.key).toBe(pki('hrss.key'));
    agent = await startAgent({ dataDir: join(dir, 'data'), config });
    const created = await apiCall(agent, 'POST', '/api/cases', exampleCase(requireItem(demoCatalog(), '341600-SB-0003')));
    const id = created.json.case.id as string;
    const data = structuredClone(exampleData('social-insurance-proof')) as Record<string, any>;
    data.person.name = EXAMPLE_APPLICANT.name;
    data.person.idNumber = EXAMPLE_APPLICANT.idNumber;
    data.documentId = 'SB-341600-20261121-900001';
    const issued = await apiCall(agent, 'POST', `/api/cases/${id}/issue`, { data });
    expect(issued.status).toBe(201);
    expect(issued.json).toMatchObject({ documentId: data.documentId, template: 'social-insurance-proof', case: { status: 'completed' } });
    const res = await fetch(new URL(`api/cases/${id}/certificates/${data.documentId}`, agent.url), { headers: { authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(200);
    writeFileSync(pki('proof.pdf'), Buffer.from(await res.arrayBuffer()));
    const verified = tongban(['certs', 'verify', pki('proof.pdf'), '--trust', pki('root.pem'), '--json']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('测试人社局业务专用章');
    expect(verified.stdout).toContain('CN=测试人社局');

    // 不动产 has no signer here, and outside demo mode nothing else seals.
    const other = await apiCall(agent, 'POST', '/api/cases', exampleCase(requireItem(demoCatalog(), demoCatalog().items.find((i) => i.issuable === 'real-estate-query')!.code)));
    const refused = await apiCall(agent, 'POST', `/api/cases/${other.json.case.id}/issue`, { data: exampleData('real-estate-query') });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'issuer.notConfigured', message: expect.stringContaining('issuing.signers.real-estate-query') });
  });

  it('tongban start refuses a key others can read: one line naming the configuration key and the file, exit 2', () => {
    chmodSync(pki('hrss.key'), 0o644);
    try {
      const config = writeConfig('open-key.json', { 'social-insurance-proof': { seal: 'hrss-seal.der', key: 'hrss.key', cert: 'hrss.pem' } });
      const r = tongban(['start', '--config', config, '--data', join(dir, 'data-open-key')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`tongban: configuration issuing.signers.social-insurance-proof.key: ${pki('hrss.key')} can be read or written by other users (mode 0644): chmod 600 ${pki('hrss.key')}\n`);
    } finally {
      chmodSync(pki('hrss.key'), 0o600);
    }
  });

  it('refuses at start: a key not the certificate’s, a seal that does not list the certificate, a missing file, an unknown template, a bad shape', async () => {
    const problem = async (signers: Record<string, unknown>): Promise<string> => {
      try {
        await configuredIssuer(loadConfig(writeConfig('bad.json', signers)).issuing);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    const files = { seal: 'hrss-seal.der', key: 'hrss.key', cert: 'hrss.pem' };
    expect(await problem({ 'social-insurance-proof': { ...files, key: 'root.key' } })).toBe(
      `configuration issuing.signers.social-insurance-proof.key: ${pki('root.key')} is not the key of ${pki('hrss.pem')} (CN=测试根证书,O=Test,C=CN)`.replace('CN=测试根证书', 'CN=测试人社局'),
    );
    expect(await problem({ 'social-insurance-proof': { ...files, key: 'root.key', cert: 'root.pem' } })).toBe(
      `configuration issuing.signers.social-insurance-proof.seal: ${pki('hrss-seal.der')} does not list ${pki('root.pem')} (CN=测试根证书,O=Test,C=CN) among its signers`,
    );
    expect(await problem({ 'social-insurance-proof': { ...files, cert: 'nope.pem' } })).toBe(`configuration issuing.signers.social-insurance-proof.cert: cannot read ${pki('nope.pem')}: no such file`);
    expect(await problem({ 'social-insurance-proof': { ...files, seal: 'hrss.pem' } })).toMatch(/^configuration issuing\.signers\.social-insurance-proof\.seal: .*hrss\.pem is not a GB\/T 38540 seal: /);
    expect(await problem({ 'birth-certificate': files })).toMatch(/^configuration issuing\.signers\.birth-certificate is not a certs template \(known: .*social-insurance-proof/);
    expect(() => parseConfig({ issuing: { signers: { 'social-insurance-proof': { seal: 'a', key: 'b' } } } })).toThrow('configuration: issuing.signers.social-insurance-proof.cert is missing');
    expect(() => parseConfig({ issuing: { signer: {} } })).toThrow('configuration: issuing.signer is not a known key (known: signers)');
    expect(() => parseConfig({ issuing: { signers: [] } })).toThrow('configuration: issuing.signers must be an object of certs template names, not an array');
  });
});
