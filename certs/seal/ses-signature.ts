/**
 * Electronic signatures with a seal (电子签章, GB/T 38540-2020): the signer signs TBS_Sign — the seal,
 * the signing time, the document's hash and a property string — with SM2-with-SM3 under the default
 * ID, and SES_Signature carries that with the signer's certificate. A PDF keeps the DER in its signature
 * dictionary's /Contents with dataHash = SM3 of the bytes its /ByteRange covers; an OFD keeps it in
 * SignedValue.dat. Verification reads version 4 and GM/T 0031-2014.
 */
import { createHash } from 'node:crypto';
import { InputError, messageOf } from '../../base/errors.js';
import { OID, oidName } from '../asn1-oids.js';
import { equalBytes } from '../bytes.js';
import { publicKeyFromPrivate, verifyDetailed, sign } from '../sm2.js';
import { sm3 } from '../sm3.js';
import { parseCertificate, verifyChain, type Certificate } from '../x509.js';
import type { Seal, SesSignature } from './model.js';
import { parseSeal, verifySeal, type SealVerdict } from './seal.js';
import { decodeSesSignature, encodeSesSignature, encodeTbsSign } from './signature-codec.js';

export interface BuildSesSignatureOptions {
  /** The SESeal, DER. */
  readonly seal: Uint8Array;
  /** The signer's private key (32 bytes). */
  readonly signerKey: Uint8Array;
  /** The signer's certificate (DER, PEM or parsed); its key must be signerKey's. */
  readonly signerCert: Certificate | Uint8Array | string;
  /** SM3 of the signed document's bytes (32 bytes). */
  readonly dataHash: Uint8Array;
  /** What is signed (TBS_Sign.propertyInfo, ASCII), e.g. a document id or "/ByteRange". */
  readonly propertyInfo: string;
  /** The signing time; default now. */
  readonly time?: Date;
}

/** Makes an SES_Signature (version 4). Returns its DER. */
export function buildSesSignature(options: BuildSesSignatureOptions): Uint8Array {
  const seal = parseSeal(options.seal);
  let cert: Certificate;
  try {
    cert = typeof options.signerCert === 'object' && !(options.signerCert instanceof Uint8Array) ? options.signerCert : parseCertificate(options.signerCert);
  } catch (err) {
    throw new InputError('seal.certificate', `signer certificate: ${messageOf(err)}`);
  }
  let signerPublic: Uint8Array;
  try {
    signerPublic = publicKeyFromPrivate(options.signerKey);
  } catch (err) {
    throw new InputError('seal.signerKey', `signer key: ${messageOf(err)}`);
  }
  if (!equalBytes(signerPublic, cert.publicKey)) {
    throw new InputError('seal.keyMismatch', `the signer key does not belong to the signer certificate (${cert.subjectString})`);
  }
  if (!(options.dataHash instanceof Uint8Array) || options.dataHash.length !== 32) {
    throw new InputError('seal.dataHash', 'dataHash must be the 32-byte SM3 hash of the signed data');
  }
  if (!/^[\x20-\x7e]{0,1024}$/.test(options.propertyInfo)) {
    throw new InputError('seal.propertyInfo', 'propertyInfo must be at most 1024 printable ASCII characters');
  }
  if (seal.property.certListType === 1 && !seal.property.certs.some((c) => equalBytes(c, cert.der))) {
    throw new InputError('seal.signerNotInSeal', `the signer certificate (${cert.subjectString}) is not one of the seal's signer certificates`);
  }
  const time = new Date(Math.floor((options.time ?? new Date()).getTime() / 1000) * 1000);
  if (Number.isNaN(time.getTime())) throw new InputError('seal.time', 'the signing time is not a valid date');
  const tbsDer = encodeTbsSign({ seal: seal.der, time, dataHash: options.dataHash, propertyInfo: options.propertyInfo });
  const signature = sign(options.signerKey, tbsDer, { publicKey: signerPublic });
  return encodeSesSignature(tbsDer, cert.der, OID.sm2WithSm3, signature);
}

/** Reads an SES_Signature (version 4 or GM/T 0031-2014). Throws InputError when it is not one. */
export function parseSesSignature(der: Uint8Array): SesSignature {
  return decodeSesSignature(der);
}

export interface VerifySesSignatureOptions {
  /** The hash of the data the signature should cover (SM3 of the PDF's ByteRange bytes, for instance). */
  readonly dataHash: Uint8Array;
  /** The time to judge validity at; default the signing time the signature states. */
  readonly at?: Date;
  /** Trust anchors for the signer's and the maker's certificates; no chain checks when absent. */
  readonly trusted?: readonly Certificate[];
  readonly intermediates?: readonly Certificate[];
}

export interface SignerInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SesSignatureVerdict {
  /** Every check passed (the chains too, when trust anchors were given). */
  readonly valid: boolean;
  /** Why not, one line each; empty when valid. */
  readonly reasons: readonly string[];
  readonly layout: SesSignature['layout'];
  readonly sealName: string;
  readonly esID: string;
  readonly propertyInfo: string;
  /** The signer's certificate, or null when it cannot be read. */
  readonly signer: SignerInfo | null;
  /** The signing time the signature states (null when a GM/T 0031 time cannot be read). */
  readonly signingTime: Date | null;
  /** The time validity was judged at. */
  readonly at: Date;
  /** The signer's certificate was in force at `at`. */
  readonly signerCertValid: boolean;
  /** Chain trust of the signer's certificate; undefined when no trust anchors were given. */
  readonly signerTrusted?: boolean;
  /** The seal's own checks (maker signature, validity at `at`, maker chain). */
  readonly seal: SealVerdict;
  /** The signer's certificate is one the seal lists (or whose digest it lists). */
  readonly signerInSeal: boolean;
  readonly dataHashMatches: boolean;
  /** The signer's signature over TBS_Sign holds. */
  readonly signatureValid: boolean;
}

const when = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

function digestOf(type: string, data: Uint8Array): Uint8Array | undefined {
  const t = type.toLowerCase().replace(/[^a-z0-9.]/g, '');
  if (t === 'sm3' || t === OID.sm3) return sm3(data);
  if (t === 'sha1' || t === 'sha256') return new Uint8Array(createHash(t).update(data).digest());
  return undefined;
}

function signerListed(seal: Seal, certDer: Uint8Array): boolean {
  if (seal.property.certListType === 2) {
    return seal.property.certDigests.some((d) => {
      const digest = digestOf(d.type, certDer);
      return digest !== undefined && equalBytes(digest, d.value);
    });
  }
  return seal.property.certs.some((c) => equalBytes(c, certDer));
}

/**
 * Verifies an SES_Signature against the hash of the data it should cover: the signer's signature over
 * TBS_Sign, the dataHash, the signer's certificate in force (and trusted, when anchors are given) at the
 * signing time, the signer being one the seal lists, and the seal itself (maker signature, in force at
 * the signing time). A readable but failing signature gives valid: false with reasons; bytes that are
 * not an SES_Signature throw InputError.
 */
export function verifySesSignature(input: SesSignature | Uint8Array, options: VerifySesSignatureOptions): SesSignatureVerdict {
  const sig = input instanceof Uint8Array ? parseSesSignature(input) : input;
  const reasons: string[] = [];
  const at = options.at ?? sig.signingTime ?? new Date();
  if (sig.signingTime === null) reasons.push('the signing time cannot be read');

  let cert: Certificate | null = null;
  try {
    cert = parseCertificate(sig.signerCert);
  } catch (err) {
    reasons.push(`the signer's certificate cannot be read: ${messageOf(err)}`);
  }

  let signatureValid = false;
  if (sig.signatureAlgID !== OID.sm2WithSm3) {
    reasons.push(`signature algorithm ${oidName(sig.signatureAlgID)} is not SM2-with-SM3`);
  } else if (cert) {
    try {
      const v = verifyDetailed(cert.publicKey, sig.tbsDer, sig.signature);
      signatureValid = v.valid;
      if (!v.valid) reasons.push('the signature does not verify (the signed data or the seal was altered, or another key signed)');
    } catch {
      reasons.push('the signature is malformed');
    }
  }

  const dataHashMatches = equalBytes(sig.dataHash, options.dataHash);
  if (!dataHashMatches) reasons.push('the data hash does not match: the signed data was changed');

  let signerCertValid = false;
  let signerTrusted: boolean | undefined;
  if (cert) {
    signerCertValid = at >= cert.notBefore && at <= cert.notAfter;
    if (!signerCertValid) {
      reasons.push(
        at < cert.notBefore
          ? `the signer's certificate was not yet valid at ${when(at)} (valid from ${when(cert.notBefore)})`
          : `the signer's certificate had expired at ${when(at)} (on ${when(cert.notAfter)})`,
      );
    }
    if (cert.keyUsage.length > 0 && !cert.keyUsage.includes('digitalSignature') && !cert.keyUsage.includes('nonRepudiation')) {
      reasons.push(`the signer's certificate may not sign (key usage: ${cert.keyUsage.join(', ')})`);
    }
    if (options.trusted) {
      const chain = verifyChain(cert, { trusted: options.trusted, intermediates: options.intermediates ?? [], at });
      signerTrusted = chain.trusted;
      if (!chain.trusted) reasons.push(`the signer's certificate is not trusted: ${chain.reason}`);
    }
  } else if (options.trusted) {
    signerTrusted = false;
  }

  const signerInSeal = signerListed(sig.seal, sig.signerCert);
  if (!signerInSeal) reasons.push("the signer's certificate is not among the seal's signers");

  const seal = verifySeal(sig.seal, { at, ...(options.trusted ? { trusted: options.trusted } : {}), ...(options.intermediates ? { intermediates: options.intermediates } : {}) });
  reasons.push(...seal.reasons);

  return {
    valid: reasons.length === 0,
    reasons,
    layout: sig.layout,
    sealName: sig.seal.property.name,
    esID: sig.seal.esID,
    propertyInfo: sig.propertyInfo,
    signer: cert ? { subject: cert.subjectString, issuer: cert.issuerString, serialHex: cert.serialHex, notBefore: cert.notBefore, notAfter: cert.notAfter } : null,
    signingTime: sig.signingTime,
    at,
    signerCertValid,
    ...(signerTrusted === undefined ? {} : { signerTrusted }),
    seal,
    signerInSeal,
    dataHashMatches,
    signatureValid,
  };
}
