/**
 * Electronegativity (@doyensec/electronegativity), Doyensec's Electron security audit, run in this
 * process and offline. Its CLI fetches translations from the network at every start, and its
 * AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK fetches Electron's release list: here the translations come from
 * the package's own locale files, that check is excluded (as `-x` would), and `got` (its only HTTP
 * client) is replaced by one that throws, so an audit that tried to reach the network fails instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface AuditFinding {
  readonly id: string;
  readonly file: string;
  readonly location: { readonly line: number; readonly column: number };
  readonly description: string;
  readonly severity: { readonly value: number; readonly name: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' };
  readonly confidence: { readonly value: number; readonly name: string };
  readonly sample?: string;
  readonly manualReview: boolean;
}

export interface AuditResult {
  readonly globalChecks: number;
  readonly atomicChecks: number;
  readonly issues: readonly AuditFinding[];
  readonly errors: readonly { readonly file: string; readonly message: string; readonly tolerable: boolean }[];
}

export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'] as const;

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));
const pkgRequire = createRequire(join(pkgDir, 'package.json'));

type Runner = (options: Record<string, unknown>, forCli: boolean) => Promise<AuditResult>;
let runner: Runner | undefined;

function load(): Runner {
  if (runner) return runner;
  const i18n = pkgRequire('i18n') as { configure(o: Record<string, unknown>): void; setLocale(l: string): void };
  const offlineI18n = async (): Promise<void> => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: join(pkgDir, 'dist', 'locales'),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    });
    i18n.setLocale('en-US');
  };
  const noNetwork = (): never => {
    throw new Error('the Electron audit tried to reach the network');
  };
  const cache = require.cache;
  const put = (file: string, exports: unknown): void => {
    cache[file] = { id: file, filename: file, loaded: true, exports, children: [], paths: [], path: dirname(file) } as unknown as NodeJS.Module;
  };
  put(pkgRequire.resolve('got'), Object.assign(noNetwork, { default: noNetwork }));
  put(join(pkgDir, 'dist', 'locales', 'i18n.js'), { __esModule: true, default: offlineI18n });
  runner = pkgRequire(join(pkgDir, 'dist', 'runner.js')) as Runner;
  return runner;
}

/** Audits `input` (a directory or file of the Electron app's sources) as if built for `electronVersion`. */
export async function auditElectron(input: string, electronVersion: string): Promise<AuditResult> {
  return load()(
    {
      input,
      output: undefined,
      isSarif: false,
      customScan: [],
      excludeFromScan: [...EXCLUDED_CHECKS],
      isRelative: true,
      isVerbose: true,
      electronUpgrade: undefined,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    },
    false,
  );
}

export interface CspFinding {
  readonly severity: number;
  readonly directive: string;
  readonly description: string;
}

/** The evaluator Electronegativity's CSP_GLOBAL_CHECK applies (@doyensec/csp-evaluator, CSP3), and its severities. */
export function evaluateCsp(policy: string): { findings: CspFinding[]; severities: Record<string, number> } {
  const csp = pkgRequire('@doyensec/csp-evaluator') as {
    CspParser: new (policy: string) => { csp: unknown };
    CspEvaluator: new (csp: unknown, version: unknown) => { evaluate(): CspFinding[] };
    Version: { CSP3: unknown };
    severities: Record<string, number>;
  };
  const findings = new csp.CspEvaluator(new csp.CspParser(policy).csp, csp.Version.CSP3).evaluate();
  return { findings: findings.map((f) => ({ severity: f.severity, directive: f.directive, description: f.description })), severities: csp.severities };
}
