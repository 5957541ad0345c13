/**
 * Electronic seals (电子印章, GB/T 38540-2020): made by a seal maker (制章人) who signs the seal's
 * information — name, type, the certificates of the signers allowed to use it, validity, picture —
 * with SM2-with-SM3 under the default ID. createSeal writes version 4; parseSeal and verifySeal also
 * read the GM/T 0031-2014 layout.
 */
import { randomInt } from 'node:crypto';
import { InputError, messageOf } from '../../base/errors.js';
import { OID, oidName } from '../asn1-oids.js';
import { encodeDer } from '../asn1.js';
import { equalBytes } from '../bytes.js';
import { publicKeyFromPrivate, sign, verifyDetailed } from '../sm2.js';
import { parseCertificate, verifyChain, type Certificate } from '../x509.js';
import { SEAL_TYPE, type ExtData, type Seal, type SealInfo, type SealPicture } from './model.js';
import { drawSealSvg, type SealDrawing } from './picture.js';
import { decodeSeal, encodeSeal, encodeSealInfo } from './seal-codec.js';

/** The header version GB/T 38540-2020 seals carry. */
export const SEAL_VERSION = 4;
/** Vendor id written into seals this project makes. */
export const DEFAULT_VID = 'tongban';
const DAY_MS = 86_400_000;
export const DEFAULT_SEAL_VALID_DAYS = 3 * 365;

export interface CreateSealOptions {
  /** The seal maker's private key (32 bytes). */
  readonly makerKey: Uint8Array;
  /** The seal maker's certificate (parsed, or DER/PEM); its key must be makerKey's. */
  readonly makerCert: Certificate | Uint8Array | string;
  /** Certificates (DER or PEM, or parsed) of the signers who may use the seal. At least one. */
  readonly signerCerts: readonly (Certificate | Uint8Array | string)[];
  /** The seal's name (印章名称), e.g. 某某市人民政府办公室业务专用章. */
  readonly name: string;
  /** 1 organisation seal (default), 2 personal seal. */
  readonly type?: number;
  /** The seal's unique code; default: region + date + random digits. */
  readonly esID?: string;
  /** Region code (行政区划代码, 6 digits) for the default esID; default 000000. */
  readonly region?: string;
  readonly createDate?: Date;
  /** Default: createDate. */
  readonly validStart?: Date;
  /** Default: validStart + 3 years. */
  readonly validEnd?: Date;
  /** Vendor id (SES_Header.vid); default "tongban". */
  readonly vid?: string;
  /** The picture; default: the drawn red seal (SVG) of `drawing`. */
  readonly picture?: SealPicture;
  /** What to draw when no picture is given; default: the seal's name around the star. */
  readonly drawing?: SealDrawing;
  readonly extDatas?: readonly ExtData[];
}

function certOf(input: Certificate | Uint8Array | string, what: string): Certificate {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return input;
  try {
    return parseCertificate(input);
  } catch (err) {
    throw new InputError('seal.certificate', `${what}: ${messageOf(err)}`);
  }
}

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function checkDate(d: Date, what: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InputError('seal.date', `${what} is not a valid date`);
  return wholeSeconds(d);
}

/** A seal code: 6-digit region code + YYYYMMDD + 8 random digits. */
export function newSealId(region = '000000', at = new Date()): string {
  if (!/^\d{6}$/.test(region)) throw new InputError('seal.esID', `region code "${region}" is not 6 digits`);
  const date = at.toISOString().slice(0, 10).replace(/-/g, '');
  return `${region}${date}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/** Makes an SESeal (GB/T 38540-2020, version 4) signed by the maker. Returns its DER. */
export function createSeal(options: CreateSealOptions): Uint8Array {
  const makerCert = certOf(options.makerCert, 'maker certificate');
  let makerPublic: Uint8Array;
  try {
    makerPublic = publicKeyFromPrivate(options.makerKey);
  } catch (err) {
    throw new InputError('seal.makerKey', `maker key: ${messageOf(err)}`);
  }
  if (!equalBytes(makerPublic, makerCert.publicKey)) {
    throw new InputError('seal.keyMismatch', `the maker key does not belong to the maker certificate (${makerCert.subjectString})`);
  }
  if (options.signerCerts.length === 0) throw new InputError('seal.signers', 'a seal needs at least one signer certificate');
  const signers = options.signerCerts.map((c, i) => certOf(c, `signer certificate ${i + 1}`));

  const name = options.name.trim();
  if (!name) throw new InputError('seal.name', 'the seal needs a name');
  if ([...name].length > 100) throw new InputError('seal.name', 'the seal name is longer than 100 characters');
  const type = options.type ?? SEAL_TYPE.organisation;
  if (!Number.isInteger(type) || type < 1 || type > 255) throw new InputError('seal.type', `seal type ${type} is not 1-255`);

  const createDate = checkDate(options.createDate ?? new Date(), 'createDate');
  const validStart = checkDate(options.validStart ?? createDate, 'validStart');
  const validEnd = checkDate(options.validEnd ?? new Date(validStart.getTime() + DEFAULT_SEAL_VALID_DAYS * DAY_MS), 'validEnd');
  if (validEnd <= validStart) throw new InputError('seal.validity', 'the seal would end before it starts (validEnd <= validStart)');
  for (const d of [createDate, validStart, validEnd]) {
    if (d.getUTCFullYear() < 1950 || d.getUTCFullYear() > 9999) throw new InputError('seal.validity', `seal date ${d.toISOString()} is out of range`);
  }

  const esID = options.esID ?? newSealId(options.region, createDate);
  if (!/^[\x21-\x7e]{1,64}$/.test(esID)) throw new InputError('seal.esID', `seal code "${esID}" must be 1-64 printable ASCII characters`);
  const vid = options.vid ?? DEFAULT_VID;
  if (!/^[\x20-\x7e]{1,64}$/.test(vid)) throw new InputError('seal.vid', 'vendor id must be 1-64 printable ASCII characters');

  const picture = options.picture ?? drawnPicture(options.drawing ?? { organisation: name });
  if (!/^[A-Za-z0-9]{1,8}$/.test(picture.type)) throw new InputError('seal.picture', `picture type "${picture.type}" is not a short name like PNG or SVG`);
  for (const [v, what] of [[picture.widthMm, 'width'], [picture.heightMm, 'height']] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 1000) throw new InputError('seal.picture', `picture ${what} ${v} mm is not a whole number 1-1000`);
  }
  if (picture.data.length === 0) throw new InputError('seal.picture', 'the picture is empty');

  const info: SealInfo = {
    header: { id: 'ES', version: SEAL_VERSION, vid },
    esID,
    property: { type, name, certListType: 1, certs: signers.map((c) => c.der), certDigests: [], createDate, validStart, validEnd },
    picture,
    extDatas: options.extDatas ?? [],
  };
  const infoDer = encodeDer(encodeSealInfo(info));
  const signedValue = sign(options.makerKey, infoDer, { publicKey: makerPublic });
  return encodeSeal(infoDer, makerCert.der, OID.sm2WithSm3, signedValue);
}

/** The drawn red seal as the seal's picture (SVG at its real size). */
export function drawnPicture(drawing: SealDrawing): SealPicture {
  const svg = drawSealSvg(drawing);
  const size = Math.round(drawing.diameterMm ?? 42);
  return { type: 'SVG', data: new TextEncoder().encode(svg), widthMm: size, heightMm: size };
}

/** Reads an SESeal (GB/T 38540 v4 or GM/T 0031-2014). Throws InputError when it is not one. */
export function parseSeal(der: Uint8Array): Seal {
  return decodeSeal(der);
}

export interface VerifySealOptions {
  /** When the seal must be in force; default now. */
  readonly at?: Date;
  /** Trust anchors for the maker's certificate; no chain check when absent. */
  readonly trusted?: readonly Certificate[];
  readonly intermediates?: readonly Certificate[];
}

export type SealPeriod = 'valid' | 'not yet valid' | 'expired';

export interface SealVerdict {
  /** Every check passed (the chain too, when trust anchors were given). */
  readonly valid: boolean;
  /** Why not, one line each; empty when valid. */
  readonly reasons: readonly string[];
  readonly layout: Seal['layout'];
  readonly name: string;
  readonly esID: string;
  readonly type: number;
  readonly validStart: Date;
  readonly validEnd: Date;
  /** The seal's validity at the time checked. */
  readonly period: SealPeriod;
  readonly at: Date;
  /** The maker's certificate subject, or null when it cannot be read. */
  readonly maker: string | null;
  readonly makerSignatureValid: boolean;
  /** The maker's certificate was in force when the seal was made (createDate). */
  readonly makerCertValid: boolean;
  /** Chain trust of the maker's certificate (at createDate); undefined when no trust anchors were given. */
  readonly makerTrusted?: boolean;
}

const when = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

function makerSignatureProblem(seal: Seal, makerKey: Uint8Array): string | undefined {
  if (seal.signAlgID !== OID.sm2WithSm3) return `seal signature algorithm ${oidName(seal.signAlgID)} is not SM2-with-SM3`;
  let malformed = false;
  for (const data of seal.signedData) {
    try {
      if (verifyDetailed(makerKey, data, seal.signedValue).valid) return undefined;
    } catch {
      malformed = true;
    }
  }
  return malformed ? "the seal maker's signature is malformed" : "the seal maker's signature does not verify (the seal was altered or not made with this certificate)";
}

/** The seal's validity at `at`, with a reason when it is not in force. */
export function sealPeriod(seal: Pick<Seal, 'property'>, at: Date): { period: SealPeriod; reason?: string } {
  if (at < seal.property.validStart) return { period: 'not yet valid', reason: `the seal is not valid before ${when(seal.property.validStart)}` };
  if (at > seal.property.validEnd) return { period: 'expired', reason: `the seal expired on ${when(seal.property.validEnd)}` };
  return { period: 'valid' };
}

/**
 * Checks a seal: the maker's signature over the seal information (key from the maker's certificate),
 * the maker's certificate in force when the seal was made, the seal's validity period at `at`, and —
 * when trust anchors are given — the maker certificate's chain.
 */
export function verifySeal(input: Seal | Uint8Array, options: VerifySealOptions = {}): SealVerdict {
  const seal = input instanceof Uint8Array ? parseSeal(input) : input;
  const at = options.at ?? new Date();
  const reasons: string[] = [];
  let maker: Certificate | null = null;
  try {
    maker = parseCertificate(seal.makerCert);
  } catch (err) {
    reasons.push(`the seal maker's certificate cannot be read: ${messageOf(err)}`);
  }
  let makerSignatureValid = false;
  let makerCertValid = false;
  let makerTrusted: boolean | undefined;
  if (maker) {
    const problem = makerSignatureProblem(seal, maker.publicKey);
    makerSignatureValid = problem === undefined;
    if (problem) reasons.push(problem);
    const made = seal.property.createDate;
    makerCertValid = made >= maker.notBefore && made <= maker.notAfter;
    if (!makerCertValid) reasons.push(`the seal maker's certificate was not in force when the seal was made (${when(made)}; certificate valid ${when(maker.notBefore)} to ${when(maker.notAfter)})`);
    if (options.trusted) {
      const chain = verifyChain(maker, { trusted: options.trusted, intermediates: options.intermediates ?? [], at: made });
      makerTrusted = chain.trusted;
      if (!chain.trusted) reasons.push(`the seal maker's certificate is not trusted: ${chain.reason}`);
    }
  } else if (options.trusted) {
    makerTrusted = false;
  }
  const { period, reason } = sealPeriod(seal, at);
  if (reason) reasons.push(reason);
  return {
    valid: reasons.length === 0,
    reasons,
    layout: seal.layout,
    name: seal.property.name,
    esID: seal.esID,
    type: seal.property.type,
    validStart: seal.property.validStart,
    validEnd: seal.property.validEnd,
    period,
    at,
    maker: maker?.subjectString ?? null,
    makerSignatureValid,
    makerCertValid,
    ...(makerTrusted === undefined ? {} : { makerTrusted }),
  };
}
