/**
 * DER codec of SESeal: writes GB/T 38540-2020 (version 4); reads version 4 and GM/T 0031-2014, told
 * apart by the number of elements in their SEQUENCEs (SESeal 4 vs 2, SES_ESPropertyInfo 7 vs 6).
 *
 *   v4:   SESeal { eSealInfo, cert OCTET STRING, signAlgID OID, signedValue BIT STRING }
 *   0031: SESeal { sealInfo, SES_SignInfo { cert OCTET STRING, signatureAlgorithm OID, signData BIT STRING } }
 */
import { InputError } from '../../base/errors.js';
import {
  Tag,
  bitString,
  boolean,
  decodeDer,
  derChildren,
  encodeDer,
  fromDer,
  generalizedTime,
  ia5String,
  integer,
  objectId,
  octetString,
  printableString,
  readBitStringBytes,
  readBoolean,
  readOctetString,
  readOid,
  readSequence,
  readSmallInteger,
  readStringOf,
  readTime,
  sequence,
  utf8String,
  type Asn1,
} from '../asn1.js';
import { concatBytes } from '../bytes.js';
import { LAYOUT_0031, LAYOUT_V4, type CertDigest, type ExtData, type Seal, type SealInfo, type SealLayout } from './model.js';

/** A seal with its picture is tens of kilobytes; refuse absurd inputs before parsing them. */
export const MAX_SEAL_BYTES = 16 * 1024 * 1024;

// --- writing (version 4) ---

function encodeExtDatas(exts: readonly ExtData[]): Asn1 {
  return sequence(
    ...exts.map((e) => sequence(objectId(e.extnID), e.critical ? boolean(true) : undefined, octetString(e.extnValue))),
  );
}

/** SES_SealInfo (version 4) as a DER node; its encoding is what the seal maker signs. */
export function encodeSealInfo(info: SealInfo): Asn1 {
  const p = info.property;
  const certList =
    p.certListType === 2
      ? sequence(...p.certDigests.map((d) => sequence(printableString(d.type), octetString(d.value))))
      : sequence(...p.certs.map((c) => octetString(c)));
  return sequence(
    sequence(ia5String(info.header.id), integer(info.header.version), ia5String(info.header.vid)),
    ia5String(info.esID),
    sequence(
      integer(p.type),
      utf8String(p.name),
      integer(p.certListType),
      certList,
      generalizedTime(p.createDate),
      generalizedTime(p.validStart),
      generalizedTime(p.validEnd),
    ),
    sequence(ia5String(info.picture.type), octetString(info.picture.data), integer(info.picture.widthMm), integer(info.picture.heightMm)),
    info.extDatas.length ? encodeExtDatas(info.extDatas) : undefined,
  );
}

/** SESeal (version 4) from the encoded eSealInfo, the maker's certificate and signature. */
export function encodeSeal(sealInfoDer: Uint8Array, makerCert: Uint8Array, signAlgID: string, signedValue: Uint8Array): Uint8Array {
  return encodeDer(sequence(fromDer(sealInfoDer, 'eSealInfo'), octetString(makerCert), objectId(signAlgID), bitString(signedValue)));
}

// --- reading (version 4 and GM/T 0031-2014) ---

function readExtDatas(node: Asn1, path: string): ExtData[] {
  return readSequence(node, path).map((ext, i) => {
    const where = `${path}[${i}]`;
    const items = readSequence(ext, where, 2, 3);
    const hasCritical = items.length === 3;
    return {
      extnID: readOid(items[0], `${where}.extnID`),
      critical: hasCritical ? readBoolean(items[1], `${where}.critical`) : false,
      extnValue: readOctetString(items[hasCritical ? 2 : 1], `${where}.extnValue`),
    };
  });
}

/** SES_SealInfo; the layout decides how many elements SES_ESPropertyInfo has. */
export function decodeSealInfo(node: Asn1, layout: SealLayout, path: string): SealInfo {
  const items = readSequence(node, path, 4, 5);
  const headerItems = readSequence(items[0], `${path}.header`, 3, 3);
  const header = {
    id: readStringOf(headerItems[0], Tag.IA5STRING, `${path}.header.ID`),
    version: readSmallInteger(headerItems[1], `${path}.header.version`, 0xffff),
    vid: readStringOf(headerItems[2], Tag.IA5STRING, `${path}.header.vid`),
  };
  if (header.id !== 'ES') throw new InputError('seal.malformed', `${path}.header.ID is "${header.id.slice(0, 20)}", not "ES": not an electronic seal`);
  const esID = readStringOf(items[1], Tag.IA5STRING, `${path}.esID`);

  const pPath = `${path}.property`;
  const v4 = layout === LAYOUT_V4;
  const prop = readSequence(items[2], pPath, v4 ? 7 : 6, v4 ? 7 : 6);
  const type = readSmallInteger(prop[0], `${pPath}.type`, 0xffff);
  const name = readStringOf(prop[1], Tag.UTF8, `${pPath}.name`);
  const certListType = v4 ? readSmallInteger(prop[2], `${pPath}.certListType`, 0xff) : 1;
  const listNode = prop[v4 ? 3 : 2];
  let certs: Uint8Array[] = [];
  let certDigests: CertDigest[] = [];
  if (certListType === 1) {
    certs = readSequence(listNode, `${pPath}.certList`).map((c, i) => readOctetString(c, `${pPath}.certList[${i}]`));
  } else if (certListType === 2) {
    certDigests = readSequence(listNode, `${pPath}.certList`).map((d, i) => {
      const pair = readSequence(d, `${pPath}.certList[${i}]`, 2, 2);
      return { type: readStringOf(pair[0], Tag.PRINTABLESTRING, `${pPath}.certList[${i}].type`), value: readOctetString(pair[1], `${pPath}.certList[${i}].value`) };
    });
  } else {
    throw new InputError('seal.malformed', `${pPath}.certListType is ${certListType} (expected 1 or 2)`);
  }
  const t = v4 ? 4 : 3;
  const property = {
    type,
    name,
    certListType,
    certs,
    certDigests,
    createDate: readTime(prop[t], `${pPath}.createDate`),
    validStart: readTime(prop[t + 1], `${pPath}.validStart`),
    validEnd: readTime(prop[t + 2], `${pPath}.validEnd`),
  };

  const pic = readSequence(items[3], `${path}.picture`, 4, 4);
  const picture = {
    type: readStringOf(pic[0], Tag.IA5STRING, `${path}.picture.type`),
    data: readOctetString(pic[1], `${path}.picture.data`),
    widthMm: readSmallInteger(pic[2], `${path}.picture.width`, 0xffff),
    heightMm: readSmallInteger(pic[3], `${path}.picture.height`, 0xffff),
  };
  const extDatas = items[4] ? readExtDatas(items[4], `${path}.extDatas`) : [];
  return { header, esID, property, picture, extDatas };
}

/** A DER SEQUENCE header in front of already-encoded elements (keeps their bytes exactly). */
function wrapSequence(content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(Uint8Array.of(0x30, ...len), content);
}

/** The layout of an SESeal node, from its element count; throws when it is neither. */
export function sealLayoutOf(node: Asn1, path: string): SealLayout {
  const n = readSequence(node, path, 2, 4).length;
  if (n === 4) return LAYOUT_V4;
  if (n === 2) return LAYOUT_0031;
  throw new InputError('seal.malformed', `${path}: a SEQUENCE of ${n} elements is neither a GB/T 38540 (4) nor a GM/T 0031 (2) seal`);
}

/** Reads an SESeal node whose encoding is `der` (the bytes as received). */
export function decodeSealNode(node: Asn1, der: Uint8Array, path: string): Seal {
  const layout = sealLayoutOf(node, path);
  const items = readSequence(node, path);
  const raw = derChildren(der, path);
  if (layout === LAYOUT_V4) {
    return {
      layout,
      der,
      ...decodeSealInfo(items[0]!, layout, `${path}.eSealInfo`),
      makerCert: readOctetString(items[1], `${path}.cert`),
      signAlgID: readOid(items[2], `${path}.signAlgID`),
      signedValue: readBitStringBytes(items[3], `${path}.signedValue`),
      signedData: [raw[0]!],
    };
  }
  const signPath = `${path}.signInfo`;
  const sign = readSequence(items[1], signPath, 3, 3);
  const rawSign = derChildren(raw[1]!, signPath);
  const covered = concatBytes(raw[0]!, rawSign[0]!, rawSign[1]!);
  return {
    layout,
    der,
    ...decodeSealInfo(items[0]!, layout, `${path}.sealInfo`),
    makerCert: readOctetString(sign[0], `${signPath}.cert`),
    signAlgID: readOid(sign[1], `${signPath}.signatureAlgorithm`),
    signedValue: readBitStringBytes(sign[2], `${signPath}.signData`),
    signedData: [wrapSequence(covered), covered],
  };
}

/** Reads an SESeal (version 4 or GM/T 0031-2014) from DER. Throws InputError when it is not one. */
export function decodeSeal(der: Uint8Array): Seal {
  if (!(der instanceof Uint8Array)) throw new InputError('seal.malformed', 'SESeal: not bytes');
  if (der.length > MAX_SEAL_BYTES) throw new InputError('seal.malformed', `SESeal: ${der.length} bytes is more than a seal can be`);
  return decodeSealNode(decodeDer(der, 'SESeal'), der, 'SESeal');
}
