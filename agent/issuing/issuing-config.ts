/**
 * The configuration's `issuing` section: who seals the certificates the kiosk issues on site outside
 * demo mode, per certs template, as files the operator made with `tongban certs` (or received from the
 * seal-making authority):
 *
 *   "issuing": { "signers": { "social-insurance-proof": {
 *       "seal": "hrss-seal.der",        // GB/T 38540 seal (SESeal, DER) that lists the certificate below
 *       "key":  "hrss-signer.key",      // SM2 private key, PKCS#8 PEM or DER, mode 0600
 *       "cert": "hrss-signer.pem",      // the signer's SM2 X.509 certificate, PEM or DER
 *       "passphraseFile": "hrss.pass"   // only for an encrypted key (mode 0600)
 *   } } }
 *
 * Only the shape is checked here (pure); the files are read and checked against each other at start
 * (signer-files.ts). Relative paths are taken from the configuration file's directory.
 */
import { isAbsolute, resolve } from 'node:path';
import { CheckError, isPlainObject, kindOf, object, optional, string, type Check } from '../../drivers/manager/check.js';

export interface SignerFiles {
  readonly seal: string;
  readonly key: string;
  readonly cert: string;
  readonly passphraseFile?: string;
}

export interface IssuingConfig {
  /** By certs template name (e.g. social-insurance-proof); empty: no signer configured. */
  readonly signers: Readonly<Record<string, SignerFiles>>;
}

const TEMPLATE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const file = string({ min: 1, max: 4096 });
const signerFiles: Check<SignerFiles> = object({ seal: file, key: file, cert: file, passphraseFile: optional(file) });

export function parseIssuingConfig(value: unknown, path: string): IssuingConfig {
  if (value === undefined) return { signers: {} };
  const section = object({ signers: optional((v: unknown) => v) })(value, path);
  if (section.signers === undefined) return { signers: {} };
  const signersPath = `${path}.signers`;
  if (!isPlainObject(section.signers)) throw new CheckError(signersPath, `must be an object of certs template names, not ${kindOf(section.signers)}`);
  const signers: Record<string, SignerFiles> = {};
  for (const [template, files] of Object.entries(section.signers)) {
    if (!TEMPLATE_NAME.test(template)) throw new CheckError(`${signersPath}.${template}`, 'is not a certs template name (see: tongban certs templates)');
    signers[template] = signerFiles(files, `${signersPath}.${template}`);
  }
  return { signers };
}

/** The signers' paths taken from `dir` (the configuration file's directory) where relative. */
export function resolveIssuingPaths(config: IssuingConfig, dir: string): IssuingConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  const signers: Record<string, SignerFiles> = {};
  for (const [template, f] of Object.entries(config.signers)) {
    signers[template] = { seal: abs(f.seal), key: abs(f.key), cert: abs(f.cert), ...(f.passphraseFile !== undefined ? { passphraseFile: abs(f.passphraseFile) } : {}) };
  }
  return { signers };
}
