/**
 * SM2 X.509 v3 certificates, built and read with forge's ASN.1 (forge's own certificate code knows only
 * RSA): issue (self-signed roots and certificates a CA signs), parse (ours and OpenSSL's), and verify a
 * chain to trusted roots. Signatures are SM2-with-SM3 (1.2.156.10197.1.501, no parameters) with the
 * default ID 1234567812345678 over DER(TBSCertificate), which is what `openssl verify -vfyopt
 * distid:1234567812345678` checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../base/errors.js';
import { OID, oidName } from './asn1-oids.js';
import {
  bitString, boolean, decodeDer, derChildren, encodeDer, explicit, implicitPrimitive, integer, isContext, isUniversal,
  objectId, octetString, readBitString, readBitStringBytes, readBoolean, readExplicit, readImplicitBytes, readIntegerBytes,
  readNull, readOctetString, readOid, readSequence, readSmallInteger, readTime, sequence, Tag, x509Time, type Asn1,
} from './asn1.js';
import { bytesToHex, equalBytes } from './bytes.js';
import { decodeSpki, keyIdentifier, spkiNode } from './keys.js';
import { decodePem, encodePem, looksLikePem } from './pem.js';
import { publicKeyFromPrivate, sign, verifyDetailed } from './sm2.js';
import { decodeName, dnNode, formatDn, parseDn, sameDn, type DistinguishedName } from './x509-name.js';

export type { DistinguishedName, DnAttribute } from './x509-name.js';
export { dnValue, formatDn, parseDn, sameDn } from './x509-name.js';

export const KEY_USAGES = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign',
  'encipherOnly', 'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING's content (the extension's own DER). */
  readonly value: Uint8Array;
}

export interface Certificate {
  readonly der: Uint8Array;
  /** DER(TBSCertificate) exactly as received: what the signature covers. */
  readonly tbsDer: Uint8Array;
  readonly version: 1 | 2 | 3;
  readonly serial: Uint8Array;
  /** Serial number, lowercase hex without a sign byte. */
  readonly serialHex: string;
  /** The outer signatureAlgorithm OID (must be sm2WithSm3 and equal the TBS one to verify). */
  readonly signatureAlgorithm: string;
  readonly tbsSignatureAlgorithm: string;
  /** The signature value: DER SEQUENCE { r, s }. */
  readonly signature: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  /** RFC 4514 strings, most specific first: "CN=...,O=...,C=CN". */
  readonly issuerString: string;
  readonly subjectString: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The subject's SM2 public key, 65 bytes 04||x||y. */
  readonly publicKey: Uint8Array;
  /** basicConstraints cA. */
  readonly isCa: boolean;
  readonly pathLength?: number;
  /** keyUsage bits set; empty when the extension is absent (which RFC 5280 reads as "any"). */
  readonly keyUsage: readonly KeyUsage[];
  /** extKeyUsage purposes (names where known, else OIDs); empty when absent. */
  readonly extendedKeyUsage: readonly string[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly extensions: readonly CertificateExtension[];
}

const bad = (message: string, code = 'x509.malformed'): InputError => new InputError(code, message);

// --- parsing ---

function readAlgorithm(node: Asn1 | undefined, what: string): string {
  const [oid, params] = readSequence(node, what, 1, 2);
  const alg = readOid(oid, what);
  // SM2-with-SM3 takes no parameters; some CAs write NULL anyway, which we accept.
  if (alg === OID.sm2WithSm3 && params !== undefined) readNull(params, `${what} parameters`);
  return alg;
}

function parseExtensions(node: Asn1, what: string): CertificateExtension[] {
  const seen = new Set<string>();
  // RFC 5280 wants at least one extension; an empty list is harmless and some encoders write it.
  return readSequence(node, what).map((ext) => {
    const fields = readSequence(ext, `${what} entry`, 2, 3);
    const oid = readOid(fields[0], `${what} OID`);
    if (seen.has(oid)) throw bad(`${what}: ${oidName(oid)} appears twice`);
    seen.add(oid);
    const critical = fields.length === 3 ? readBoolean(fields[1], `${what} ${oidName(oid)} critical flag`) : false;
    const value = readOctetString(fields[fields.length - 1], `${what} ${oidName(oid)} value`);
    return { oid, critical, value };
  });
}

interface KnownExtensions {
  isCa: boolean;
  pathLength?: number;
  keyUsage: KeyUsage[];
  extendedKeyUsage: string[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

function interpretExtensions(extensions: readonly CertificateExtension[]): KnownExtensions {
  const out: KnownExtensions = { isCa: false, keyUsage: [], extendedKeyUsage: [] };
  for (const ext of extensions) {
    const what = `certificate extension ${oidName(ext.oid)}`;
    switch (ext.oid) {
      case OID.basicConstraints: {
        const fields = readSequence(decodeDer(ext.value, what), what, 0, 2);
        let i = 0;
        if (isUniversal(fields[i], Tag.BOOLEAN)) out.isCa = readBoolean(fields[i++], `${what} cA`);
        if (fields[i] !== undefined) out.pathLength = readSmallInteger(fields[i++], `${what} pathLenConstraint`, 1000);
        if (i !== fields.length) throw bad(`${what}: unexpected field`);
        break;
      }
      case OID.keyUsage: {
        const { bytes, unusedBits } = readBitString(decodeDer(ext.value, what), what);
        const bitCount = bytes.length * 8 - unusedBits;
        out.keyUsage = KEY_USAGES.filter((_, bit) => bit < bitCount && (bytes[bit >> 3]! & (0x80 >> (bit & 7))) !== 0);
        break;
      }
      case OID.extKeyUsage:
        out.extendedKeyUsage = readSequence(decodeDer(ext.value, what), what, 1).map((n) => oidName(readOid(n, `${what} purpose`)));
        break;
      case OID.subjectKeyIdentifier:
        out.subjectKeyId = readOctetString(decodeDer(ext.value, what), what);
        break;
      case OID.authorityKeyIdentifier: {
        const fields = readSequence(decodeDer(ext.value, what), what, 0, 3);
        if (isContext(fields[0], 0)) out.authorityKeyId = readImplicitBytes(fields[0], 0, `${what} keyIdentifier`);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function certificateDer(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    const blocks = decodePem(text, 'certificate');
    const block = blocks.find((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
    if (!block) throw bad(`found a PEM "${blocks[0]!.label}" block where a certificate is expected`, 'x509.notCertificate');
    return block.der;
  }
  if (input.length > 0 && input[0] !== 0x30) throw bad('certificate: neither PEM nor DER');
  return input;
}

/** Parses one certificate (PEM or DER). Anything malformed throws an InputError naming the field. */
export function parseCertificate(input: string | Uint8Array): Certificate {
  const der = certificateDer(input);
  // Exact byte boundaries first: the signature covers the TBSCertificate bytes as received.
  const parts = derChildren(der, 'certificate');
  if (parts.length !== 3) throw bad(`certificate: expected 3 elements, found ${parts.length}`);
  const tbsDer = parts[0]!;
  const root = decodeDer(der, 'certificate');
  const [tbs, sigAlg, sigValue] = readSequence(root, 'certificate', 3, 3);
  const f = readSequence(tbs, 'certificate body', 6, 10);
  let i = 0;
  let version: 1 | 2 | 3 = 1;
  if (isContext(f[0], 0)) {
    const v = readSmallInteger(readExplicit(f[i++], 0, 'certificate version'), 'certificate version', 10);
    if (v > 2) throw bad(`certificate version ${v + 1} is not X.509 v1-v3`);
    version = (v + 1) as 1 | 2 | 3;
  }
  const serial = readIntegerBytes(f[i++], 'certificate serial number', true);
  const tbsSignatureAlgorithm = readAlgorithm(f[i++], 'certificate body signature algorithm');
  const issuer = decodeName(f[i++]!, 'certificate issuer');
  const [nb, na] = readSequence(f[i++], 'certificate validity', 2, 2);
  const notBefore = readTime(nb, 'certificate validity notBefore');
  const notAfter = readTime(na, 'certificate validity notAfter');
  const subject = decodeName(f[i++]!, 'certificate subject');
  if (f[i] === undefined) throw bad('certificate body: no public key');
  const publicKey = decodeSpki(f[i++]!, 'certificate public key');
  let extensions: CertificateExtension[] = [];
  for (; i < f.length; i++) {
    const n = f[i]!;
    if (isContext(n, 1) || isContext(n, 2)) continue; // issuer/subject unique IDs: obsolete, ignored
    if (isContext(n, 3)) {
      if (version !== 3) throw bad('certificate: extensions in a certificate that is not v3');
      extensions = parseExtensions(readExplicit(n, 3, 'certificate extensions'), 'certificate extensions');
    } else throw bad('certificate body: unexpected trailing field');
  }
  const signatureAlgorithm = readAlgorithm(sigAlg, 'certificate signature algorithm');
  const signature = readBitStringBytes(sigValue, 'certificate signature');
  const known = interpretExtensions(extensions);
  return {
    der,
    tbsDer,
    version,
    serial,
    serialHex: bytesToHex(serial),
    signatureAlgorithm,
    tbsSignatureAlgorithm,
    signature,
    issuer,
    subject,
    issuerString: formatDn(issuer),
    subjectString: formatDn(subject),
    notBefore,
    notAfter,
    publicKey,
    ...known,
    extensions,
  };
}

/** Every certificate in a PEM bundle, in order. Throws InputError when there is none. */
export function parseCertificates(pem: string | Uint8Array): Certificate[] {
  if (typeof pem !== 'string' && !looksLikePem(pem)) return [parseCertificate(pem)];
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  const blocks = decodePem(text, 'certificates').filter((b) => /^(X509 )?CERTIFICATE$/.test(b.label));
  if (blocks.length === 0) throw bad('no CERTIFICATE block found', 'x509.notCertificate');
  return blocks.map((b) => parseCertificate(b.der));
}

export function certificateToPem(cert: Certificate | Uint8Array): string {
  return encodePem('CERTIFICATE', cert instanceof Uint8Array ? cert : cert.der);
}

/** Fingerprint of the certificate's DER ('sha256' or 'sm3'), lowercase hex. */
export function certificateFingerprint(cert: Certificate, algorithm: 'sha256' | 'sm3' = 'sha256'): string {
  return createHash(algorithm).update(cert.der).digest('hex');
}

// --- issuing ---

export interface IssueCertificateOptions {
  /** "CN=...,O=...,C=CN" (RFC 4514 order) or a parsed name. */
  readonly subject: string | DistinguishedName;
  /** The subject's public key (65 or 33 bytes). */
  readonly publicKey: Uint8Array;
  /** The signer's private key: the CA's, or the subject's own for a self-signed certificate. */
  readonly issuerKey: Uint8Array;
  /** The CA certificate; absent for a self-signed certificate. */
  readonly issuerCert?: Certificate;
  /** Validity in days from notBefore; default 3650 for a CA, 365 otherwise. */
  readonly days?: number;
  /** Start of validity; default now (whole seconds). */
  readonly notBefore?: Date;
  /** End of validity; overrides `days`. */
  readonly notAfter?: Date;
  /** basicConstraints cA; default true for self-signed, false when a CA issues. */
  readonly isCa?: boolean;
  readonly pathLength?: number;
  /** Default: keyCertSign + cRLSign for a CA, digitalSignature + nonRepudiation otherwise. */
  readonly keyUsage?: readonly KeyUsage[];
  /** extKeyUsage purposes: OIDs or names from asn1-oids (e.g. "codeSigning"); omitted when empty. */
  readonly extendedKeyUsage?: readonly string[];
  /** Serial number bytes; default 16 random bytes, positive. */
  readonly serial?: Uint8Array;
}

function extension(oid: string, critical: boolean, value: Asn1): Asn1 {
  return sequence(objectId(oid), critical ? boolean(true) : undefined, octetString(encodeDer(value)));
}

/** keyUsage as a DER named-bit BIT STRING: trailing zero bits dropped. */
function keyUsageNode(usages: readonly KeyUsage[]): Asn1 {
  const bits = usages.map((u) => {
    const bit = KEY_USAGES.indexOf(u);
    if (bit < 0) throw bad(`unknown key usage "${u}" (known: ${KEY_USAGES.join(', ')})`, 'x509.keyUsage');
    return bit;
  });
  if (bits.length === 0) throw bad('key usage list is empty', 'x509.keyUsage');
  const highest = Math.max(...bits);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, 7 - (highest & 7));
}

function extendedKeyUsageOid(purpose: string): string {
  if (/^[0-2](\.\d+)+$/.test(purpose)) return purpose;
  const oid = (OID as Record<string, string>)[purpose];
  if (!oid) throw bad(`unknown extended key usage "${purpose}"`, 'x509.keyUsage');
  return oid;
}

function randomSerial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = (s[0]! & 0x7f) | 0x40; // positive, and a full 16 bytes
  return s;
}

const DAY_MS = 86_400_000;

/** Issues a certificate: self-signed when `issuerCert` is absent. Returns it parsed. */
export function issueCertificate(options: IssueCertificateOptions): Certificate {
  const subject = typeof options.subject === 'string' ? parseDn(options.subject, 'subject') : options.subject;
  const issuerPublic = publicKeyFromPrivate(options.issuerKey);
  const subjectPublic = spkiNode(options.publicKey); // validates the key
  const issuerCert = options.issuerCert;
  const selfSigned = issuerCert === undefined;
  const subjectKeyId = keyIdentifier(options.publicKey);
  if (selfSigned) {
    if (!equalBytes(subjectKeyId, keyIdentifier(issuerPublic))) {
      throw bad('a self-signed certificate must be signed with the private key of its own public key', 'x509.keyMismatch');
    }
  } else {
    if (!equalBytes(issuerCert.publicKey, issuerPublic)) throw bad(`the CA key does not belong to the CA certificate ${issuerCert.subjectString}`, 'x509.keyMismatch');
    if (!issuerCert.isCa) throw bad(`${issuerCert.subjectString} is not a CA certificate (basicConstraints cA is not set)`, 'x509.notCa');
    if (issuerCert.keyUsage.length > 0 && !issuerCert.keyUsage.includes('keyCertSign')) {
      throw bad(`${issuerCert.subjectString} may not sign certificates (its key usage lacks keyCertSign)`, 'x509.notCa');
    }
  }
  const isCa = options.isCa ?? selfSigned;
  const notBefore = new Date(Math.floor((options.notBefore ?? new Date()).getTime() / 1000) * 1000);
  const days = options.days ?? (isCa ? 3650 : 365);
  if (options.notAfter === undefined && (!Number.isFinite(days) || days <= 0)) throw bad(`validity must be a positive number of days, not ${days}`, 'x509.validity');
  const notAfter = new Date(Math.floor((options.notAfter?.getTime() ?? notBefore.getTime() + days * DAY_MS) / 1000) * 1000);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()) || notAfter <= notBefore) {
    throw bad('the certificate would end before it starts', 'x509.validity');
  }
  const keyUsage = options.keyUsage ?? (isCa ? ['keyCertSign', 'cRLSign'] : ['digitalSignature', 'nonRepudiation']);
  const serial = options.serial ?? randomSerial();
  if (serial.length === 0 || serial.length > 20) throw bad('a serial number is 1 to 20 bytes', 'x509.serial');
  const authorityKeyId = selfSigned ? subjectKeyId : (issuerCert.subjectKeyId ?? keyIdentifier(issuerCert.publicKey));

  const extensions = [
    extension(OID.basicConstraints, true, sequence(isCa ? boolean(true) : undefined, isCa && options.pathLength !== undefined ? integer(options.pathLength) : undefined)),
    extension(OID.keyUsage, true, keyUsageNode(keyUsage)),
    options.extendedKeyUsage?.length ? extension(OID.extKeyUsage, false, sequence(...options.extendedKeyUsage.map((p) => objectId(extendedKeyUsageOid(p))))) : undefined,
    extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, authorityKeyId))),
  ];
  const algorithm = sequence(objectId(OID.sm2WithSm3));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    selfSigned ? dnNode(subject) : dnNode(issuerCert.subject),
    sequence(x509Time(notBefore), x509Time(notAfter)),
    dnNode(subject),
    subjectPublic,
    explicit(3, sequence(...extensions.filter((e): e is Asn1 => e !== undefined))),
  );
  const tbsDer = encodeDer(tbs);
  const signature = sign(options.issuerKey, tbsDer, { publicKey: issuerPublic });
  const der = encodeDer(sequence(decodeDer(tbsDer, 'certificate body'), sequence(objectId(OID.sm2WithSm3)), bitString(signature)));
  return parseCertificate(der);
}

// --- chain verification ---

export interface VerifyChainOptions {
  /** Trust anchors (roots). A certificate is trusted when it is one of them (same DER, or same name and key). */
  readonly trusted: readonly Certificate[];
  /** Untrusted certificates that may link the leaf to a root. */
  readonly intermediates?: readonly Certificate[];
  /** The time to check validity at; default now. */
  readonly at?: Date;
  /** Most certificates in a chain, leaf and root included; default 8. */
  readonly maxDepth?: number;
}

export type ChainVerdict = { readonly trusted: true; readonly chain: readonly Certificate[] } | { readonly trusted: false; readonly reason: string };

/** Extensions a verifier may meet marked critical without rejecting the certificate. */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier,
  OID.subjectAltName, OID.issuerAltName, OID.certificatePolicies,
]);

function when(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

function validityProblem(cert: Certificate, at: Date): string | undefined {
  if (at < cert.notBefore) return `certificate not valid before ${when(cert.notBefore)} (${cert.subjectString})`;
  if (at > cert.notAfter) return `certificate expired on ${when(cert.notAfter)} (${cert.subjectString})`;
  return undefined;
}

function extensionProblem(cert: Certificate): string | undefined {
  const unknown = cert.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
  return unknown ? `unsupported critical extension ${oidName(unknown.oid)} in ${cert.subjectString}` : undefined;
}

/** Checks `cert`'s signature with `issuerKey`; a reason when it fails. */
function signatureProblem(cert: Certificate, issuerKey: Uint8Array): string | undefined {
  if (cert.signatureAlgorithm !== OID.sm2WithSm3) {
    return `signature algorithm ${oidName(cert.signatureAlgorithm)} of ${cert.subjectString} is not SM2-with-SM3`;
  }
  if (cert.tbsSignatureAlgorithm !== cert.signatureAlgorithm) return `signature algorithms of ${cert.subjectString} disagree`;
  try {
    if (verifyDetailed(issuerKey, cert.tbsDer, cert.signature).valid) return undefined;
  } catch {
    return `signature of ${cert.subjectString} is malformed`;
  }
  return `signature of ${cert.subjectString} does not verify`;
}

function issuerProblem(issuer: Certificate, isAnchor: boolean): string | undefined {
  // A v1 root (no extensions at all) is a CA by being trusted, as OpenSSL treats it.
  if (!issuer.isCa && !(isAnchor && issuer.version === 1)) return `issuer ${issuer.subjectString} is not a CA`;
  if (issuer.keyUsage.length > 0 && !issuer.keyUsage.includes('keyCertSign')) return `issuer ${issuer.subjectString} may not sign certificates (no keyCertSign)`;
  return undefined;
}

function sameKeyAndName(a: Certificate, b: Certificate): boolean {
  return equalBytes(a.der, b.der) || (equalBytes(a.publicKey, b.publicKey) && sameDn(a.subject, b.subject));
}

function mayHaveIssued(issuer: Certificate, cert: Certificate): boolean {
  if (!sameDn(issuer.subject, cert.issuer)) return false;
  if (cert.authorityKeyId && issuer.subjectKeyId) return equalBytes(cert.authorityKeyId, issuer.subjectKeyId);
  return true;
}

/**
 * Finds a path from `leaf` to a trusted certificate and checks every link: validity at `at`, the
 * issuer's CA flag and keyCertSign, name chaining, the SM2 signature, path length constraints and
 * critical extensions. Reasons are one readable line ("unknown issuer: CN=...").
 */
export function verifyChain(leaf: Certificate, options: VerifyChainOptions): ChainVerdict {
  const at = options.at ?? new Date();
  const maxDepth = options.maxDepth ?? 8;
  const anchors = options.trusted;
  const pool = [...anchors, ...(options.intermediates ?? [])];

  const walk = (cert: Certificate, chain: Certificate[]): ChainVerdict => {
    const problem = validityProblem(cert, at) ?? extensionProblem(cert);
    if (problem) return { trusted: false, reason: problem };
    if (anchors.some((a) => sameKeyAndName(a, cert))) return { trusted: true, chain: [...chain, cert] };
    if (chain.length + 1 >= maxDepth) return { trusted: false, reason: `chain is longer than ${maxDepth} certificates` };
    const candidates = pool.filter((c) => mayHaveIssued(c, cert) && !chain.some((seen) => equalBytes(seen.der, c.der)) && !equalBytes(c.der, cert.der));
    if (candidates.length === 0) {
      if (sameDn(cert.subject, cert.issuer) && !signatureProblem(cert, cert.publicKey)) {
        return { trusted: false, reason: `self-signed certificate is not trusted: ${cert.subjectString}` };
      }
      return { trusted: false, reason: `unknown issuer: ${cert.issuerString}` };
    }
    let first: ChainVerdict | undefined;
    for (const issuer of candidates) {
      const isAnchor = anchors.some((a) => sameKeyAndName(a, issuer));
      const reason = issuerProblem(issuer, isAnchor) ?? signatureProblem(cert, issuer.publicKey);
      const verdict: ChainVerdict = reason ? { trusted: false, reason } : walk(issuer, [...chain, cert]);
      if (verdict.trusted) {
        const lengthProblem = pathLengthProblem(verdict.chain);
        if (!lengthProblem) return verdict;
        first ??= { trusted: false, reason: lengthProblem };
      } else first ??= verdict;
    }
    return first!;
  };
  return walk(leaf, []);
}

/** pathLenConstraint: how many non-self-issued intermediates may follow a CA (RFC 5280 §4.2.1.9). */
function pathLengthProblem(chain: readonly Certificate[]): string | undefined {
  for (let j = 1; j < chain.length; j++) {
    const ca = chain[j]!;
    if (ca.pathLength === undefined) continue;
    const below = chain.slice(1, j).filter((c) => !sameDn(c.subject, c.issuer)).length;
    if (below > ca.pathLength) return `path length constraint of ${ca.subjectString} exceeded`;
  }
  return undefined;
}
