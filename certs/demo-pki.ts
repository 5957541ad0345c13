/**
 * The demo PKI: a root CA "tongban 演示根证书 (demo)", a seal maker (制章单位) and department signers,
 * for the embedded default configuration and for tests. Keys derive from a seed (public, so this PKI
 * proves nothing outside a demo): the same seed gives the same keys, names, serials and validity, so a
 * root written once still anchors certificates made in a later run. Only the signatures differ (SM2 is
 * randomised). `demoPkiFiles` gives the file layout; writing it is the caller's business.
 */
import { bigintToBytes, bytesToBigint, concatBytes } from './bytes.js';
import { privateKeyToPem, publicKeyToPem } from './keys.js';
import { generateKeyPair, publicKeyFromPrivate } from './sm2.js';
import { sm3 } from './sm3.js';
import { certificateToPem, issueCertificate, type Certificate } from './x509.js';

export interface DemoIdentity {
  /** A stable ASCII handle: "root", "maker", "hrss", ... */
  readonly slug: string;
  /** The organisation's name (the seal's name). */
  readonly name: string;
  readonly cert: Certificate;
  /** 32-byte SM2 private key. */
  readonly key: Uint8Array;
  /** 65-byte SM2 public key. */
  readonly publicKey: Uint8Array;
}

export interface DemoPki {
  readonly root: DemoIdentity;
  /** The seal maker (制章单位) whose key signs SESeal structures. */
  readonly maker: DemoIdentity;
  /** Department signers, in the order of DEMO_SIGNERS (or the `signers` option). */
  readonly signers: readonly DemoIdentity[];
}

export interface DemoSignerSpec {
  readonly slug: string;
  /** Organisation name; becomes CN and O. */
  readonly name: string;
  readonly locality?: string;
  readonly province?: string;
}

export interface DemoPkiOptions {
  /** Key seed; default the public demo seed. */
  readonly seed?: string;
  /** Fresh random keys instead of seeded ones (tests that must not share keys). */
  readonly randomKeys?: boolean;
  /** Start of validity of every certificate; default 2025-01-01T00:00:00Z. */
  readonly notBefore?: Date;
  /** Root validity in days; default 7305 (20 years). */
  readonly rootDays?: number;
  /** Maker and signer validity in days; default 3652 (10 years). */
  readonly signerDays?: number;
  /** Departments; default DEMO_SIGNERS. */
  readonly signers?: readonly DemoSignerSpec[];
}

export const DEMO_SEED = 'tongban demo PKI v1 -- public, for demonstration only';
export const DEMO_ROOT_NAME = 'tongban 演示根证书 (demo)';
export const DEMO_MAKER_NAME = 'tongban 演示制章单位 (demo)';
export const DEMO_NOT_BEFORE = new Date('2025-01-01T00:00:00Z');

export const DEMO_SIGNERS: readonly DemoSignerSpec[] = [
  { slug: 'hrss', name: '亳州市人力资源和社会保障局', locality: '亳州市', province: '安徽省' },
  { slug: 'real-estate', name: '亳州市不动产登记中心', locality: '亳州市', province: '安徽省' },
  { slug: 'service-center', name: '亳州市政务服务中心', locality: '亳州市', province: '安徽省' },
];

const encoder = new TextEncoder();
/** Order of the SM2 base point (GB/T 32918.5). */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

/** d in [1, n-2] from SM3(seed, label), extended to 64 bytes so the reduction is unbiased enough. */
function seededKey(seed: string, label: string): Uint8Array {
  const wide = concatBytes(sm3(encoder.encode(`${seed}\u0000key\u0000${label}\u00001`)), sm3(encoder.encode(`${seed}\u0000key\u0000${label}\u00002`)));
  return bigintToBytes((bytesToBigint(wide) % (N - 2n)) + 1n, 32);
}

function seededSerial(seed: string, label: string): Uint8Array {
  const s = sm3(encoder.encode(`${seed}\u0000serial\u0000${label}`)).slice(0, 16);
  s[0] = (s[0]! & 0x7f) | 0x40;
  return s;
}

/** Escapes a value for the "CN=...,O=..." form. */
function dnValue(v: string): string {
  return v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
}

const DAY_MS = 86_400_000;

export function createDemoPki(options: DemoPkiOptions = {}): DemoPki {
  const seed = options.seed ?? DEMO_SEED;
  const notBefore = options.notBefore ?? DEMO_NOT_BEFORE;
  const keyFor = (slug: string): Uint8Array => (options.randomKeys ? generateKeyPair().privateKey : seededKey(seed, slug));
  const serialFor = (slug: string): Uint8Array | undefined => (options.randomKeys ? undefined : seededSerial(seed, slug));

  const rootKey = keyFor('root');
  const rootPub = publicKeyFromPrivate(rootKey);
  const rootSerial = serialFor('root');
  const rootCert = issueCertificate({
    subject: `CN=${dnValue(DEMO_ROOT_NAME)},O=tongban (demo),C=CN`,
    publicKey: rootPub,
    issuerKey: rootKey,
    isCa: true,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.rootDays ?? 7305) * DAY_MS),
    ...(rootSerial ? { serial: rootSerial } : {}),
  });
  const root: DemoIdentity = { slug: 'root', name: DEMO_ROOT_NAME, cert: rootCert, key: rootKey, publicKey: rootPub };

  const issue = (slug: string, name: string, subject: string): DemoIdentity => {
    const key = keyFor(slug);
    const publicKey = publicKeyFromPrivate(key);
    const serial = serialFor(slug);
    const cert = issueCertificate({
      subject,
      publicKey,
      issuerKey: rootKey,
      issuerCert: rootCert,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (options.signerDays ?? 3652) * DAY_MS),
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      ...(serial ? { serial } : {}),
    });
    return { slug, name, cert, key, publicKey };
  };

  const maker = issue('maker', DEMO_MAKER_NAME, `CN=${dnValue(DEMO_MAKER_NAME)},O=tongban (demo),C=CN`);
  const signers = (options.signers ?? DEMO_SIGNERS).map((s) => {
    const parts = [`CN=${dnValue(s.name)}`, 'OU=电子印章 (demo)', `O=${dnValue(s.name)}`];
    if (s.locality) parts.push(`L=${dnValue(s.locality)}`);
    if (s.province) parts.push(`ST=${dnValue(s.province)}`);
    parts.push('C=CN');
    return issue(s.slug, s.name, parts.join(','));
  });
  return { root, maker, signers };
}

/** The signer with this slug or organisation name; throws a RangeError naming the known ones. */
export function demoSigner(pki: DemoPki, slugOrName: string): DemoIdentity {
  const found = pki.signers.find((s) => s.slug === slugOrName || s.name === slugOrName);
  if (!found) throw new RangeError(`no demo signer "${slugOrName}" (known: ${pki.signers.map((s) => s.slug).join(', ')})`);
  return found;
}

export interface DemoPkiFile {
  /** Relative path, "/"-separated. */
  readonly path: string;
  readonly contents: string;
  /** Private keys: write with mode 0600. */
  readonly secret: boolean;
}

/**
 * The file layout of a demo PKI:
 *   root/ca.pem, root/ca.key                       the demo root
 *   maker/cert.pem, maker/key.pem                  the seal maker
 *   signers/<slug>/cert.pem, signers/<slug>/key.pem, signers/<slug>/chain.pem (cert + root)
 */
export function demoPkiFiles(pki: DemoPki): DemoPkiFile[] {
  const files: DemoPkiFile[] = [
    { path: 'root/ca.pem', contents: certificateToPem(pki.root.cert), secret: false },
    { path: 'root/ca.key', contents: privateKeyToPem(pki.root.key), secret: true },
    { path: 'root/ca.pub', contents: publicKeyToPem(pki.root.publicKey), secret: false },
    { path: 'maker/cert.pem', contents: certificateToPem(pki.maker.cert), secret: false },
    { path: 'maker/key.pem', contents: privateKeyToPem(pki.maker.key), secret: true },
  ];
  for (const s of pki.signers) {
    files.push(
      { path: `signers/${s.slug}/cert.pem`, contents: certificateToPem(s.cert), secret: false },
      { path: `signers/${s.slug}/key.pem`, contents: privateKeyToPem(s.key), secret: true },
      { path: `signers/${s.slug}/chain.pem`, contents: certificateToPem(s.cert) + certificateToPem(pki.root.cert), secret: false },
    );
  }
  return files;
}
