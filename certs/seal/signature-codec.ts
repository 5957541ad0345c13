/**
 * DER codec of SES_Signature (电子签章数据): writes GB/T 38540-2020 version 4; reads version 4 and
 * GM/T 0031-2014, told apart by element counts (SES_Signature 4-5 vs 2, TBS_Sign 5-6 vs 7).
 *
 *   v4:   SES_Signature { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID, signature BIT STRING,
 *                         timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
 *         TBS_Sign { version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
 *                    propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
 *   0031: SES_Signature { toSign TBS_Sign, signature BIT STRING }
 *         TBS_Sign { version, eseal, timeInfo BIT STRING, dataHash BIT STRING, propertyInfo IA5String,
 *                    cert OCTET STRING, signatureAlgorithm OID }
 */
import forge from 'node-forge';
import { InputError } from '../../base/errors.js';
import {
  Tag,
  TagClass,
  binaryToBytes,
  bitString,
  bytesToBinary,
  decodeDer,
  derChildren,
  encodeDer,
  fromDer,
  generalizedTime,
  ia5String,
  integer,
  isContext,
  isUniversal,
  objectId,
  octetString,
  readBitStringBytes,
  readExplicit,
  readOctetString,
  readOid,
  readSequence,
  readSmallInteger,
  readStringOf,
  readTime,
  sequence,
  type Asn1,
} from '../asn1.js';
import { LAYOUT_0031, LAYOUT_V4, type ExtData, type SesSignature } from './model.js';
import { MAX_SEAL_BYTES, decodeSealNode } from './seal-codec.js';

/** The version TBS_Sign carries in GB/T 38540-2020. */
export const TBS_SIGN_VERSION = 4;

export interface TbsSignFields {
  /** The SESeal, DER (embedded as it is). */
  readonly seal: Uint8Array;
  readonly time: Date;
  readonly dataHash: Uint8Array;
  readonly propertyInfo: string;
}

/** TBS_Sign (version 4): the bytes the signer signs. */
export function encodeTbsSign(f: TbsSignFields): Uint8Array {
  return encodeDer(
    sequence(integer(TBS_SIGN_VERSION), fromDer(f.seal, 'SESeal'), generalizedTime(f.time), bitString(f.dataHash), ia5String(f.propertyInfo)),
  );
}

/** SES_Signature (version 4) from the encoded TBS_Sign, the signer's certificate and signature. */
export function encodeSesSignature(tbsDer: Uint8Array, signerCert: Uint8Array, signatureAlgID: string, signature: Uint8Array): Uint8Array {
  return encodeDer(sequence(fromDer(tbsDer, 'TBS_Sign'), octetString(signerCert), objectId(signatureAlgID), bitString(signature)));
}

function readExtensionDatas(node: Asn1, path: string): ExtData[] {
  return readSequence(node, path).map((ext, i) => {
    const items = readSequence(ext, `${path}[${i}]`, 2, 3);
    const critical = items.length === 3 && isUniversal(items[1], Tag.BOOLEAN) && (items[1]!.value as string) !== '\x00';
    return {
      extnID: readOid(items[0], `${path}[${i}].extnID`),
      critical,
      extnValue: readOctetString(items[items.length - 1], `${path}[${i}].extnValue`),
    };
  });
}

/**
 * GM/T 0031's timeInfo is a BIT STRING whose content the standard leaves open; implementations put the
 * time's text there ("20240102030405Z" or UTCTime text) or a whole DER time. Null when it is neither.
 */
export function timeFromBits(bits: Uint8Array): Date | null {
  const attempt = (node: Asn1): Date | null => {
    try {
      return readTime(node, 'timeInfo');
    } catch {
      return null;
    }
  };
  if (bits.length >= 2 && (bits[0] === 0x17 || bits[0] === 0x18) && bits[1] === bits.length - 2) {
    return attempt(forge.asn1.create(TagClass.UNIVERSAL, bits[0], false, bytesToBinary(bits.subarray(2))));
  }
  const text = bytesToBinary(bits).trim();
  if (/^\d{14}/.test(text)) return attempt(forge.asn1.create(TagClass.UNIVERSAL, Tag.GENERALIZEDTIME, false, text.endsWith('Z') || /[+-]\d{4}$/.test(text) ? text : `${text}Z`));
  if (/^\d{12}/.test(text)) return attempt(forge.asn1.create(TagClass.UNIVERSAL, Tag.UTCTIME, false, text));
  return null;
}

/** Reads an SES_Signature (version 4 or GM/T 0031-2014). Throws InputError when it is not one. */
export function decodeSesSignature(der: Uint8Array): SesSignature {
  if (!(der instanceof Uint8Array)) throw new InputError('seal.malformed', 'SES_Signature: not bytes');
  if (der.length > MAX_SEAL_BYTES) throw new InputError('seal.malformed', `SES_Signature: ${der.length} bytes is more than a signature can be`);
  const root = decodeDer(der, 'SES_Signature');
  const items = readSequence(root, 'SES_Signature', 2, 5);
  if (items.length === 3) {
    throw new InputError('seal.malformed', 'SES_Signature: a SEQUENCE of 3 elements is neither GB/T 38540 (4 or 5) nor GM/T 0031 (2)');
  }
  const layout = items.length === 2 ? LAYOUT_0031 : LAYOUT_V4;
  const raw = derChildren(der, 'SES_Signature');
  const tbsDer = raw[0]!;
  const tPath = 'SES_Signature.toSign';
  const tbs = layout === LAYOUT_V4 ? readSequence(items[0], tPath, 5, 6) : readSequence(items[0], tPath, 7, 7);
  const rawTbs = derChildren(tbsDer, tPath);
  const version = readSmallInteger(tbs[0], `${tPath}.version`, 0xffff);
  const seal = decodeSealNode(tbs[1]!, rawTbs[1]!, `${tPath}.eseal`);
  const dataHash = readBitStringBytes(tbs[3], `${tPath}.dataHash`);
  const propertyInfo = readStringOf(tbs[4], Tag.IA5STRING, `${tPath}.propertyInfo`);

  if (layout === LAYOUT_V4) {
    let timeStamp: Uint8Array | null = null;
    if (items[4] !== undefined) {
      if (!isContext(items[4], 0)) throw new InputError('seal.malformed', 'SES_Signature.timeStamp: expected [0]');
      // [0] EXPLICIT BIT STRING as the standard writes it; some writers tag the BIT STRING implicitly.
      timeStamp = items[4].constructed
        ? readBitStringBytes(readExplicit(items[4], 0, 'SES_Signature.timeStamp'), 'SES_Signature.timeStamp')
        : binaryToBytes(items[4].value as string);
    }
    return {
      layout,
      der,
      version,
      seal,
      signingTime: readTime(tbs[2], `${tPath}.timeInfo`),
      dataHash,
      propertyInfo,
      extDatas: tbs[5] ? readExtensionDatas(readExplicit(tbs[5], 0, `${tPath}.extDatas`), `${tPath}.extDatas`) : [],
      signerCert: readOctetString(items[1], 'SES_Signature.cert'),
      signatureAlgID: readOid(items[2], 'SES_Signature.signatureAlgID'),
      signature: readBitStringBytes(items[3], 'SES_Signature.signature'),
      tbsDer,
      timeStamp,
    };
  }
  return {
    layout,
    der,
    version,
    seal,
    signingTime: timeFromBits(readBitStringBytes(tbs[2], `${tPath}.timeInfo`)),
    dataHash,
    propertyInfo,
    extDatas: [],
    signerCert: readOctetString(tbs[5], `${tPath}.cert`),
    signatureAlgID: readOid(tbs[6], `${tPath}.signatureAlgorithm`),
    signature: readBitStringBytes(items[1], 'SES_Signature.signature'),
    tbsDer,
    timeStamp: null,
  };
}
