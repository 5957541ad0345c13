/**
 * The configured signers (issuing.signers) read and checked at start, so that a kiosk never discovers a
 * wrong file in front of a citizen: each file readable, the private key (and its passphrase file)
 * readable by the agent's user only, the key the certificate's, the seal naming the certificate among its
 * signers, seal and certificate in force. The last three are checked by making one SES_Signature with
 * the signer and verifying it (certs' own rules, not a copy of them). Errors are InputError (exit 2)
 * naming the configuration key and the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError, isTongbanError, messageOf } from '../../base/errors.js';
import type * as CertsKeys from '../../certs/keys.js';
import type * as CertsSeal from '../../certs/seal/index.js';
import type * as CertsSm3 from '../../certs/sm3.js';
import type * as CertsX509 from '../../certs/x509.js';
import type { Certificate } from '../../certs/x509.js';
import type { IssuingConfig, SignerFiles } from './issuing-config.js';
import type { Issuer, IssuingSigner } from './issuer.js';

function fail(key: string, message: string, cause?: unknown): InputError {
  return new InputError('config.issuing', `configuration ${key}: ${message}`, cause === undefined ? undefined : { cause });
}

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? messageOf(err);
}

function read(key: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw fail(key, `cannot read ${path}: ${why(err)}`, err);
  }
}

/** A secret file must be the agent user's alone: a key others can read is no longer the department's alone. */
function readSecret(key: string, path: string): Uint8Array {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw fail(key, `cannot read ${path}: ${why(err)}`, err);
  }
  if ((mode & 0o077) !== 0) {
    throw fail(key, `${path} can be read or written by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): chmod 600 ${path}`);
  }
  return read(key, path);
}

/** certs' modules, loaded only when signers are configured (they cost the start-up of an agent without any). */
interface Certs {
  readonly templateNames: readonly string[];
  readonly readPrivateKey: typeof CertsKeys.readPrivateKey;
  readonly seal: typeof CertsSeal;
  readonly sm3: typeof CertsSm3.sm3;
  readonly parseCertificate: typeof CertsX509.parseCertificate;
}

function loadSigner(template: string, files: SignerFiles, certs: Certs): IssuingSigner {
  const { templateNames, readPrivateKey, sm3, parseCertificate } = certs;
  const { buildSesSignature, parseSeal, verifySesSignature } = certs.seal;
  const at = `issuing.signers.${template}`;
  if (!templateNames.includes(template)) throw new InputError('config.issuing', `configuration ${at} is not a certs template (known: ${templateNames.join(', ')})`);
  const seal = read(`${at}.seal`, files.seal);
  try {
    parseSeal(seal);
  } catch (err) {
    throw fail(`${at}.seal`, `${files.seal} is not a GB/T 38540 seal: ${messageOf(err)}`, err);
  }
  let cert: Certificate;
  const certBytes = read(`${at}.cert`, files.cert);
  try {
    cert = parseCertificate(certBytes);
  } catch (err) {
    throw fail(`${at}.cert`, `${files.cert} is not an SM2 certificate: ${messageOf(err)}`, err);
  }
  const passphrase = files.passphraseFile === undefined ? undefined : Buffer.from(readSecret(`${at}.passphraseFile`, files.passphraseFile)).toString('utf8').split(/\r?\n/)[0];
  const keyBytes = readSecret(`${at}.key`, files.key);
  let signerKey: Uint8Array;
  try {
    signerKey = readPrivateKey(keyBytes, passphrase);
  } catch (err) {
    const hint = isTongbanError(err) && err.code === 'keys.passphraseRequired' ? ' (set passphraseFile)' : '';
    throw fail(`${at}.key`, `${files.key}: ${messageOf(err)}${hint}`, err);
  }
  // One trial signature, verified: what issuing will do, without a PDF.
  const dataHash = sm3('tongban issuing signer check');
  let signature: Uint8Array;
  try {
    signature = buildSesSignature({ seal, signerKey, signerCert: cert, dataHash, propertyInfo: 'tongban signer check' });
  } catch (err) {
    const code = isTongbanError(err) ? err.code : '';
    if (code === 'seal.keyMismatch') throw fail(`${at}.key`, `${files.key} is not the key of ${files.cert} (${cert.subjectString})`, err);
    if (code === 'seal.signerNotInSeal') throw fail(`${at}.seal`, `${files.seal} does not list ${files.cert} (${cert.subjectString}) among its signers`, err);
    throw fail(at, `cannot sign with these files: ${messageOf(err)}`, err);
  }
  const verdict = verifySesSignature(signature, { dataHash, at: new Date() });
  if (!verdict.valid) throw fail(at, `the signer cannot seal: ${verdict.reasons.join('; ')}`);
  return { seal, signerKey, signerCert: cert.der };
}

/**
 * The issuer of the configured signers, every file checked now; `fallback` (the demo issuer in demo
 * mode) answers for templates without one. Undefined when there is neither.
 */
export async function configuredIssuer(config: IssuingConfig, fallback?: Issuer): Promise<Issuer | undefined> {
  const entries = Object.entries(config.signers);
  if (entries.length === 0) return fallback;
  const [templates, keys, seal, sm3, x509] = await Promise.all([
    import('../../certs/pdf/templates/index.js'),
    import('../../certs/keys.js'),
    import('../../certs/seal/index.js'),
    import('../../certs/sm3.js'),
    import('../../certs/x509.js'),
  ]);
  const certs: Certs = { templateNames: templates.templateNames(), readPrivateKey: keys.readPrivateKey, seal, sm3: sm3.sm3, parseCertificate: x509.parseCertificate };
  const signers = new Map<string, IssuingSigner>();
  for (const [template, files] of entries) signers.set(template, loadSigner(template, files, certs));
  return async (template) => signers.get(template) ?? fallback?.(template);
}
