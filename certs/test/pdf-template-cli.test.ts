/** `tongban certs templates` through the real executable (run `npm run build` first). */
import { describe, expect, it } from 'vitest';
import { tongban } from '../../test/helpers/cli.js';
import { exampleData, validateData } from '../pdf/templates/index.js';

const NAMES = ['social-insurance-proof', 'real-estate-query', 'case-receipt'];

describe('tongban certs templates', () => {
  it('lists every template with its printed title', () => {
    const r = tongban(['certs', 'templates']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const [name, title] of [
      ['social-insurance-proof', '社会保险参保缴费证明'],
      ['real-estate-query', '不动产登记信息查询结果证明'],
      ['case-receipt', '受理回执'],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${name} +${title}$`, 'm'));
    }
  });

  it('lists them as JSON with name, title and description', () => {
    const r = tongban(['certs', 'templates', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; title: string; description: string }[];
    expect(list.map((t) => t.name)).toEqual(NAMES);
    for (const t of list) {
      expect(t.title).toMatch(/^[\u4e00-\u9fff]+$/);
      expect(t.description.length).toBeGreaterThan(10);
    }
  });

  it('prints example data that the template accepts, the same as the library gives', () => {
    for (const name of NAMES) {
      const r = tongban(['certs', 'templates', '--example', name]);
      expect(r.code, r.stderr).toBe(0);
      const data = JSON.parse(r.stdout) as unknown;
      expect(data).toEqual(exampleData(name));
      expect(() => validateData(name, data)).not.toThrow();
    }
  });

  it('refuses an unknown template with exit 2, naming the known ones on one line', () => {
    const r = tongban(['certs', 'templates', '--example', 'birth-certificate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tongban: unknown template "birth-certificate" (known: social-insurance-proof, real-estate-query, case-receipt)\n');
  });

  it('refuses a missing template name and stray arguments as usage errors', () => {
    const missing = tongban(['certs', 'templates', '--example']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const stray = tongban(['certs', 'templates', 'extra']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('unexpected argument "extra"');
  });

  it('has help that names both forms', () => {
    const r = tongban(['certs', 'templates', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: tongban certs templates [--json] | --example NAME');
    expect(r.stdout).toContain('--example NAME');
  });
});
