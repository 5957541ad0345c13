/**
 * The data of GB/T 38540-2020 (version 4) seals and signatures, and of the older GM/T 0031-2014
 * layout that verifiers still meet, as plain values. The codecs (seal-codec.ts, signature-codec.ts)
 * turn DER into these and back; nothing here does I/O or cryptography.
 */

/** Which standard's layout a seal or signature was written in. */
export type SealLayout = 'GB/T 38540-2020' | 'GM/T 0031-2014';

export const LAYOUT_V4: SealLayout = 'GB/T 38540-2020';
export const LAYOUT_0031: SealLayout = 'GM/T 0031-2014';

/** Seal types of GB/T 38540 (SES_ESPropertyInfo.type): 1 organisation seal (单位印章), 2 personal seal (个人印章). */
export const SEAL_TYPE = { organisation: 1, personal: 2 } as const;

export interface SealHeader {
  /** Always "ES". */
  readonly id: string;
  /** 4 for GB/T 38540-2020. */
  readonly version: number;
  /** The vendor (manufacturer) id of the software that made the seal. */
  readonly vid: string;
}

/** certListType 2: a digest of a certificate instead of the certificate. */
export interface CertDigest {
  /** The digest algorithm as written (e.g. "sm3"). */
  readonly type: string;
  readonly value: Uint8Array;
}

export interface SealProperty {
  /** 1 organisation, 2 personal; other values are vendor-defined. */
  readonly type: number;
  readonly name: string;
  /** 1: certs holds certificates; 2: certDigests holds digests. GM/T 0031 has certificates only (1). */
  readonly certListType: number;
  /** DER certificates of the signers this seal may be used by (certListType 1). */
  readonly certs: readonly Uint8Array[];
  readonly certDigests: readonly CertDigest[];
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
}

export interface SealPicture {
  /** "PNG", "SVG", "GIF", "JPG", "BMP", "OFD" as GB/T 38540 names them. */
  readonly type: string;
  readonly data: Uint8Array;
  /** Real size in millimetres. */
  readonly widthMm: number;
  readonly heightMm: number;
}

export interface ExtData {
  readonly extnID: string;
  readonly critical: boolean;
  readonly extnValue: Uint8Array;
}

export interface SealInfo {
  readonly header: SealHeader;
  /** The seal's unique code (电子印章编码), e.g. region code + serial. */
  readonly esID: string;
  readonly property: SealProperty;
  readonly picture: SealPicture;
  readonly extDatas: readonly ExtData[];
}

/** An SESeal as read from DER. */
export interface Seal extends SealInfo {
  readonly layout: SealLayout;
  /** The whole SESeal, as received. */
  readonly der: Uint8Array;
  /** The seal maker's (制章人) certificate, DER. */
  readonly makerCert: Uint8Array;
  readonly signAlgID: string;
  /** The maker's signature, DER SEQUENCE { r, s }. */
  readonly signedValue: Uint8Array;
  /**
   * The bytes the maker's signature covers, as received. Version 4: DER(eSealInfo). GM/T 0031 says the
   * maker signs the seal information with the certificate and algorithm, which implementations read as
   * the SEQUENCE { sealInfo, cert, signatureAlgorithm } or as the three encodings one after another, so
   * there are both; a signature over either counts.
   */
  readonly signedData: readonly Uint8Array[];
}

/** An SES_Signature (电子签章数据) as read from DER. */
export interface SesSignature {
  readonly layout: SealLayout;
  /** The whole SES_Signature, as received. */
  readonly der: Uint8Array;
  /** TBS_Sign.version (4 for GB/T 38540). */
  readonly version: number;
  readonly seal: Seal;
  /** The signing time the signer claims (TBS_Sign.timeInfo); null when a GM/T 0031 timeInfo cannot be read. */
  readonly signingTime: Date | null;
  /** The document hash the signer signed (SM3, 32 bytes, in practice). */
  readonly dataHash: Uint8Array;
  /** TBS_Sign.propertyInfo: what was signed (e.g. the document's name or location). */
  readonly propertyInfo: string;
  readonly extDatas: readonly ExtData[];
  /** The signer's (签章人) certificate, DER. */
  readonly signerCert: Uint8Array;
  readonly signatureAlgID: string;
  /** The signature, DER SEQUENCE { r, s }. */
  readonly signature: Uint8Array;
  /** DER(TBS_Sign) as received: the bytes the signature covers. */
  readonly tbsDer: Uint8Array;
  /** SES_Signature.timeStamp (an RFC 3161 token over the signature), when present. */
  readonly timeStamp: Uint8Array | null;
}
