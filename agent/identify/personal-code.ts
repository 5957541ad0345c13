/**
 * The personal QR code (电子身份码, as 皖事通/安康码 show on a phone): who the holder is and until when the
 * code is good, authenticated with HMAC-SM3 so that the kiosk binds an applicant only from a code its
 * issuer made. The page never reads personal data out of a code: it posts the scanned text to the agent,
 * which verifies it here. Format (README.md next to this file):
 *
 *   TBID1.<payload>.<tag>
 *   payload = base64url(UTF-8 "<idNumber>|<expires, Unix seconds>|<name>")
 *   tag     = base64url(HMAC-SM3(key, "TBID1." + payload))   (32 bytes, compared in constant time)
 */
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { hmacSm3 } from '../../certs/hmac-sm3.js';
import { KeyFiles } from '../pii/key-files.js';
import { isValidIdNumber } from '../pii/id-number.js';

export const PERSONAL_CODE_VERSION = 'TBID1';
/** The key file under DATA/keys/ (0600): the secret shared with the issuer of the codes. */
export const PERSONAL_CODE_KEY_FILE = 'identity-code.secret';
/** Longest text taken as a code (a QR code of this format is about 130 characters). */
export const PERSONAL_CODE_MAX = 512;

export interface CodeHolder {
  readonly name: string;
  /** 18 characters, GB 11643 check character valid. */
  readonly idNumber: string;
}

export interface VerifiedCode extends CodeHolder {
  readonly expiresAt: Date;
}

export type CodeRefusal = 'code.garbled' | 'code.unknown' | 'code.forged' | 'code.expired';

/** What the citizen reads, per refusal: what happened and what to do. */
export const CODE_REFUSALS: Readonly<Record<CodeRefusal, string>> = {
  'code.garbled': '未能识别这个二维码。请打开手机上的“电子身份码”，调亮屏幕后对准扫码口重新扫描；也可以刷身份证。',
  'code.unknown': '这个电子身份码的版本本机暂不支持。请刷身份证，或请工作人员协助。',
  'code.forged': '这个电子身份码未通过校验，不能使用。请在手机上重新打开“电子身份码”后再扫，或刷身份证。',
  'code.expired': '电子身份码已过期。请在手机上刷新电子身份码后重新扫描，或刷身份证。',
};

export class PersonalCodeError extends Error {
  constructor(
    readonly code: CodeRefusal,
    /** Why, in English, for tests and staff; never the code's content. */
    readonly reason: string,
  ) {
    super(CODE_REFUSALS[code]);
    this.name = 'PersonalCodeError';
  }
}

/** A Chinese or Latin name as an ID card prints it: letters, · and spaces inside, at most 30 characters. */
const NAME = /^[\p{L}·•]([\p{L}·• ]{0,28}[\p{L}])?$/u;
const ID18 = /^\d{17}[\dX]$/;
const PREFIX = /^TBID(\d{1,3})\./;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromB64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Only the canonical spelling: a changed padding bit would otherwise be a second text for the same code.
  return b64url(bytes) === text ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
}

function tagOf(key: Uint8Array, signed: string): Uint8Array {
  return hmacSm3(key, [signed]);
}

/** The holder's data as a code may carry it; throws TypeError for data a code must not be made of. */
function checkHolder(holder: CodeHolder): void {
  if (!NAME.test(holder.name)) throw new TypeError('a personal code needs a name of letters (and · or spaces inside), at most 30 characters');
  if (!ID18.test(holder.idNumber) || !isValidIdNumber(holder.idNumber)) throw new TypeError('a personal code needs an 18-character ID number with a valid GB 11643 check character');
}

/** Makes a code for `holder`, good until `expiresAt` (the issuer's side; the demo uses it). */
export function encodePersonalCode(key: Uint8Array, holder: CodeHolder, expiresAt: Date): string {
  checkHolder(holder);
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new TypeError('expiresAt must be a real time after 1970');
  const payload = b64url(new TextEncoder().encode(`${holder.idNumber}|${seconds}|${holder.name}`));
  const signed = `${PERSONAL_CODE_VERSION}.${payload}`;
  return `${signed}.${b64url(tagOf(key, signed))}`;
}

/**
 * The holder of a scanned code, or a PersonalCodeError: anything that is not a code of this format
 * (scanner garbage, another QR code, a damaged one) is `code.garbled`, another version of the format
 * `code.unknown`, a tag that does not verify `code.forged`, a verified code past its time `code.expired`.
 * The tag is checked before anything in the payload is believed.
 */
export function verifyPersonalCode(key: Uint8Array, text: string, now: Date = new Date()): VerifiedCode {
  const scanned = text.trim();
  if (scanned.length > PERSONAL_CODE_MAX) throw new PersonalCodeError('code.garbled', `longer than ${PERSONAL_CODE_MAX} characters`);
  const prefix = PREFIX.exec(scanned);
  if (!prefix) throw new PersonalCodeError('code.garbled', 'does not start with TBID<version>.');
  if (`TBID${prefix[1]}` !== PERSONAL_CODE_VERSION) throw new PersonalCodeError('code.unknown', `version TBID${prefix[1]} is not known (this kiosk reads ${PERSONAL_CODE_VERSION})`);
  const parts = scanned.split('.');
  if (parts.length !== 3) throw new PersonalCodeError('code.garbled', 'needs three parts separated by "."');
  const [, payloadText, tagText] = parts as [string, string, string];
  const payload = fromB64url(payloadText);
  const tag = fromB64url(tagText);
  if (!payload || !tag) throw new PersonalCodeError('code.garbled', 'a part is not base64url');
  if (tag.length !== 32) throw new PersonalCodeError('code.garbled', `the tag is ${tag.length} bytes, not 32`);
  const expected = tagOf(key, `${PERSONAL_CODE_VERSION}.${payloadText}`);
  if (!timingSafeEqual(expected, tag)) throw new PersonalCodeError('code.forged', 'the HMAC-SM3 tag does not verify');
  // From here the payload is the issuer's: a malformed one is an issuer's bug, still refused.
  let fields: string[];
  try {
    fields = new TextDecoder('utf-8', { fatal: true }).decode(payload).split('|');
  } catch {
    throw new PersonalCodeError('code.garbled', 'the payload is not UTF-8');
  }
  const [idNumber, seconds, name] = fields;
  if (fields.length !== 3 || !idNumber || !seconds || !name || !/^\d{1,12}$/.test(seconds)) throw new PersonalCodeError('code.garbled', 'the payload is not idNumber|expires|name');
  try {
    checkHolder({ name, idNumber });
  } catch (err) {
    throw new PersonalCodeError('code.garbled', (err as Error).message);
  }
  const expiresAt = new Date(Number(seconds) * 1000);
  if (expiresAt.getTime() <= now.getTime()) throw new PersonalCodeError('code.expired', 'past its expiry');
  return { name, idNumber, expiresAt };
}

/** The codes' key from DATA/keys/ (made at random at the first start: only the demo then issues codes with it). */
export function personalCodeKey(dataDir: string): Uint8Array {
  const files = new KeyFiles(join(dataDir, 'keys'));
  files.prepare(true);
  return files.secret(PERSONAL_CODE_KEY_FILE, true);
}
