/**
 * The base-info payload of a read (30 01, or 30 10 with fingerprint): pure parsing and, for the
 * simulator, encoding.
 *
 * After SW1..SW3: text length (2 bytes BE, 256), photo length (2 bytes BE, 1024), for 30 10 a
 * fingerprint length (2 bytes BE); then the text (UCS-2LE, space padded), the WLT photo (encrypted,
 * kept as bytes with its SHA-256), the optional fingerprint block.
 *
 * Text layouts by the type letter at byte 248 (idcard-sam.md):
 *   resident (blank): name 0/30 · sex 30/2 · nation 32/4 · birth 36/16 · address 52/70 · ID number 122/36 ·
 *     issuer 158/30 · valid from 188/16 · valid to 204/16 (YYYYMMDD or 长期)
 *   'J' 港澳台居民居住证: the resident layout (nation blank) + pass number 220/18, issue count 238/4
 *   'I' old 外国人永久居留身份证: English name 0/120 · card number 122/30 · nationality 152/6 · Chinese name 158/30
 *     (confirmed); sex 120/2 · valid from 188/16 · valid to 204/16 · birth 220/16 (seen in vendor SDK
 *     headers, not confirmed: accepted only when they are well-formed, otherwise listed in `missing`)
 *   'Y' 2023 外国人永久居留身份证: English name 52/70 · card number 122/36 (confirmed); Chinese name 0/30 ·
 *     sex 30/2 · birth 36/16 · issuer 158/30 · validity 188/204 taken defensively as above; the nationality
 *     is the ISO 3166 numeric code in digits 4-6 of the card number (9 · province · nationality · birth ·
 *     sequence · check).
 * Every failure is a typed error: CardDataError (idcard.readFailed) for content, GarbledError for lengths.
 */
import { createHash } from 'node:crypto';
import { CardDataError } from './errors.js';
import { GarbledError } from './frame.js';
import { NATION, SEX, cardDate, isValidIdNumber } from './codes.js';

export const TEXT_LENGTH = 256;
export const PHOTO_LENGTH = 1024;
export const FINGERPRINT_LENGTH = 1024;
/** The largest photo or fingerprint block accepted (twice the usual: vendors vary, hostile input does not). */
const MAX_BLOCK = 4096;

export type CardLayout = 'resident' | 'J' | 'I' | 'Y';
export type CardType = 'resident' | 'gat' | 'foreigner';

export interface IdCard {
  readonly cardType: CardType;
  /** The layout letter: resident, 'J' (港澳台居民居住证), 'I' (old foreigner card), 'Y' (2023 foreigner card). */
  readonly layout: CardLayout;
  /** Chinese name (for 'I'/'Y' the Chinese name when the card has one, else the English name). */
  readonly name: string;
  readonly sex?: string;
  readonly sexCode?: string;
  readonly nation?: string;
  readonly nationCode?: string;
  /** YYYY-MM-DD */
  readonly birthDate?: string;
  readonly address?: string;
  /** The ID number, or the foreigner card's number. */
  readonly idNumber: string;
  readonly issuer?: string;
  /** YYYY-MM-DD */
  readonly validFrom?: string;
  /** YYYY-MM-DD or 长期 */
  readonly validTo?: string;
  readonly passNumber?: string;
  readonly issueCount?: string;
  readonly englishName?: string;
  /** Nationality code (ISO 3166 alpha-3 on 'I', numeric on 'Y'). */
  readonly nationality?: string;
  /** Fields of this layout that the card did not carry in a well-formed way (reported, never guessed). */
  readonly missing: readonly string[];
  /** The WLT photo, encrypted as read (decoding needs the vendor's decoder). Never log it. */
  readonly photo: Uint8Array;
  readonly photoSha256: string;
  readonly fingerprint?: Uint8Array;
}

const LONG_TERM = '长期';

function textField(text: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i + 1 < offset + length; i += 2) {
    const code = text[i]! | (text[i + 1]! << 8);
    // Cards pad with spaces; some readers with NULs (read as spaces here).
    s += code === 0 ? ' ' : String.fromCharCode(code);
  }
  return s.trim();
}

/** Splits the payload after SW1..SW3 into text, photo and optional fingerprint, checking every length. */
export function splitBaseInfo(data: Uint8Array): { text: Uint8Array; photo: Uint8Array; fingerprint?: Uint8Array } {
  if (data.length < 4) throw new GarbledError(`base info of ${data.length} bytes has no length header`);
  const u16 = (o: number): number => (data[o]! << 8) | data[o + 1]!;
  const textLen = u16(0);
  const photoLen = u16(2);
  if (textLen !== TEXT_LENGTH) throw new GarbledError(`base info text length is ${textLen}, not ${TEXT_LENGTH}`);
  if (photoLen > MAX_BLOCK) throw new GarbledError(`base info photo length ${photoLen} is out of range`);
  if (data.length === 4 + textLen + photoLen) {
    return { text: data.subarray(4, 4 + textLen), photo: data.subarray(4 + textLen, 4 + textLen + photoLen) };
  }
  if (data.length >= 6) {
    const fpLen = u16(4);
    if (fpLen <= MAX_BLOCK && data.length === 6 + textLen + photoLen + fpLen) {
      const t0 = 6;
      const p0 = t0 + textLen;
      const f0 = p0 + photoLen;
      return { text: data.subarray(t0, p0), photo: data.subarray(p0, f0), fingerprint: data.subarray(f0, f0 + fpLen) };
    }
  }
  throw new GarbledError(`base info of ${data.length} bytes does not match its length header`);
}

/** Parses the base-info payload (the reply's data after SW1..SW3) into a card. */
export function parseBaseInfo(data: Uint8Array): IdCard {
  const { text, photo, fingerprint } = splitBaseInfo(data);
  const media = {
    photo: Uint8Array.from(photo),
    photoSha256: createHash('sha256').update(photo).digest('hex'),
    ...(fingerprint ? { fingerprint: Uint8Array.from(fingerprint) } : {}),
  };
  const letter = textField(text, 248, 2);
  const f = (o: number, l: number): string => textField(text, o, l);
  switch (letter) {
    case '':
      return { ...parseResidentLike(f, 'resident'), ...media };
    case 'J':
      return { ...parseResidentLike(f, 'J'), ...media };
    case 'I':
      return { ...parseOldForeigner(f), ...media };
    case 'Y':
      return { ...parseNewForeigner(f), ...media };
    default:
      throw new CardDataError(`unknown card type letter "${letter.slice(0, 2)}" at byte 248`);
  }
}

type Field = (offset: number, length: number) => string;
type CardText = Omit<IdCard, 'photo' | 'photoSha256' | 'fingerprint'>;

function requireDate(value: string, what: string): string {
  const d = cardDate(value);
  if (!d) throw new CardDataError(`${what} is not a date`);
  return d;
}

function parseResidentLike(f: Field, layout: 'resident' | 'J'): CardText {
  const name = f(0, 30);
  if (!name) throw new CardDataError('the name is empty');
  const sexCode = f(30, 2);
  const sex = SEX.get(sexCode);
  if (!sex) throw new CardDataError(`sex code "${sexCode.slice(0, 2)}" is not 0, 1, 2 or 9`);
  const idNumber = f(122, 36).toUpperCase();
  if (!isValidIdNumber(idNumber)) throw new CardDataError('the ID number has a wrong check digit or form');
  const validToRaw = f(204, 16);
  const card: CardText = {
    cardType: layout === 'J' ? 'gat' : 'resident',
    layout,
    name,
    sex,
    sexCode,
    birthDate: requireDate(f(36, 16), 'the birth date'),
    address: f(52, 70),
    idNumber,
    issuer: f(158, 30),
    validFrom: requireDate(f(188, 16), 'the start of validity'),
    validTo: validToRaw === LONG_TERM ? LONG_TERM : requireDate(validToRaw, 'the end of validity'),
    missing: [],
  };
  const nationCode = f(32, 4);
  if (layout === 'resident') {
    const nation = NATION.get(nationCode);
    if (!nation) throw new CardDataError(`nation code "${nationCode.slice(0, 4)}" is not in GB 3304`);
    return { ...card, nation, nationCode };
  }
  const passNumber = f(220, 18);
  const issueCount = f(238, 4);
  const missing = [...(passNumber ? [] : ['passNumber']), ...(/^\d{1,2}$/.test(issueCount) ? [] : ['issueCount'])];
  return {
    ...card,
    ...(passNumber ? { passNumber } : {}),
    ...(/^\d{1,2}$/.test(issueCount) ? { issueCount } : {}),
    ...(NATION.has(nationCode) ? { nationCode, nation: NATION.get(nationCode) } : {}),
    missing,
  };
}

/** Optional fields: kept when well-formed, else named in `missing`. */
class Defensive {
  readonly missing: string[] = [];
  readonly fields: Record<string, string> = {};
  take(name: string, value: string | undefined): void {
    if (value) this.fields[name] = value;
    else this.missing.push(name);
  }
}

function parseOldForeigner(f: Field): CardText {
  const englishName = f(0, 120);
  const idNumber = f(122, 30).toUpperCase();
  const nationality = f(152, 6).toUpperCase();
  const chineseName = f(158, 30);
  if (!englishName && !chineseName) throw new CardDataError('the card has no name');
  if (!/^[A-Z]{3}\d{12}$/.test(idNumber)) throw new CardDataError('the permanent residence card number is not 3 letters and 12 digits');
  if (!/^[A-Z]{3}$/.test(nationality)) throw new CardDataError('the nationality is not a 3-letter code');
  const d = new Defensive();
  const sexCode = f(120, 2);
  d.take('sexCode', SEX.has(sexCode) ? sexCode : undefined);
  d.take('sex', SEX.get(sexCode));
  d.take('birthDate', cardDate(f(220, 16)));
  d.take('validFrom', cardDate(f(188, 16)));
  const validTo = f(204, 16);
  d.take('validTo', validTo === LONG_TERM ? LONG_TERM : cardDate(validTo));
  return {
    cardType: 'foreigner',
    layout: 'I',
    name: chineseName || englishName,
    englishName,
    idNumber,
    nationality,
    ...d.fields,
    missing: d.missing,
  };
}

function parseNewForeigner(f: Field): CardText {
  const englishName = f(52, 70);
  const idNumber = f(122, 36).toUpperCase();
  if (!/^9/.test(idNumber) || !isValidIdNumber(idNumber)) throw new CardDataError('the permanent residence card number has a wrong check digit or form');
  const chineseName = f(0, 30);
  if (!englishName && !chineseName) throw new CardDataError('the card has no name');
  const d = new Defensive();
  const sexCode = f(30, 2);
  d.take('sexCode', SEX.has(sexCode) ? sexCode : undefined);
  d.take('sex', SEX.get(sexCode));
  d.take('birthDate', cardDate(f(36, 16)));
  d.take('issuer', f(158, 30) || undefined);
  d.take('validFrom', cardDate(f(188, 16)));
  const validTo = f(204, 16);
  d.take('validTo', validTo === LONG_TERM ? LONG_TERM : cardDate(validTo));
  return {
    cardType: 'foreigner',
    layout: 'Y',
    name: chineseName || englishName,
    ...(englishName ? { englishName } : {}),
    idNumber,
    nationality: idNumber.slice(3, 6),
    ...d.fields,
    missing: d.missing,
  };
}

// ---- encoding (the simulator's side) ----

/** What a card carries, as the simulator's JSON fixtures describe it (dates YYYY-MM-DD or 长期). */
export interface CardContent {
  readonly layout: CardLayout;
  readonly name?: string;
  readonly sexCode?: string;
  readonly nationCode?: string;
  readonly birthDate?: string;
  readonly address?: string;
  readonly idNumber: string;
  readonly issuer?: string;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly passNumber?: string;
  readonly issueCount?: string;
  readonly englishName?: string;
  readonly nationality?: string;
}

const compact = (date: string | undefined): string | undefined => (date === LONG_TERM ? date : date?.replace(/-/g, ''));

/** The 256-byte UCS-2LE text block of a card (space padded; a field too long is cut, as the card would). */
export function encodeText(c: CardContent): Uint8Array {
  const out = new Uint8Array(TEXT_LENGTH);
  for (let i = 0; i < TEXT_LENGTH; i += 2) out[i] = 0x20;
  const put = (offset: number, length: number, value: string | undefined): void => {
    if (!value) return;
    for (let i = 0; i < value.length && 2 * i + 1 < length; i++) {
      const code = value.charCodeAt(i);
      out[offset + 2 * i] = code & 0xff;
      out[offset + 2 * i + 1] = code >> 8;
    }
  };
  if (c.layout === 'I') {
    put(0, 120, c.englishName);
    put(120, 2, c.sexCode);
    put(122, 30, c.idNumber);
    put(152, 6, c.nationality);
    put(158, 30, c.name);
    put(188, 16, compact(c.validFrom));
    put(204, 16, compact(c.validTo));
    put(220, 16, compact(c.birthDate));
    put(248, 2, 'I');
    return out;
  }
  put(0, 30, c.name);
  put(30, 2, c.sexCode);
  put(32, 4, c.nationCode);
  put(36, 16, compact(c.birthDate));
  put(52, 70, c.layout === 'Y' ? c.englishName : c.address);
  put(122, 36, c.idNumber);
  put(158, 30, c.issuer);
  put(188, 16, compact(c.validFrom));
  put(204, 16, compact(c.validTo));
  if (c.layout === 'J') {
    put(220, 18, c.passNumber);
    put(238, 4, c.issueCount);
  }
  if (c.layout !== 'resident') put(248, 2, c.layout);
  return out;
}

/** The reply data of 30 01 (or 30 10 when `fingerprint` is given): length header, text, photo, fingerprint. */
export function encodeBaseInfo(text: Uint8Array, photo: Uint8Array, fingerprint?: Uint8Array): Uint8Array {
  const header = fingerprint ? 6 : 4;
  const out = new Uint8Array(header + text.length + photo.length + (fingerprint?.length ?? 0));
  out[0] = text.length >> 8;
  out[1] = text.length & 0xff;
  out[2] = photo.length >> 8;
  out[3] = photo.length & 0xff;
  if (fingerprint) {
    out[4] = fingerprint.length >> 8;
    out[5] = fingerprint.length & 0xff;
  }
  out.set(text, header);
  out.set(photo, header + text.length);
  if (fingerprint) out.set(fingerprint, header + text.length + photo.length);
  return out;
}
