/**
 * Applicants: who a case is for, bound to an ID card read or a QR identity (e.g. 电子社保卡). Their
 * personal fields are sealed as one value; the ID number is also kept as a keyed hash so that an
 * operator can find (and erase) one person's data by number without the number being stored in clear.
 */
import { InputError } from '../../base/errors.js';
import type { StoreCipher } from './cipher.js';
import { openJson, placeAad, sealJson } from './cipher.js';
import type { StoreCore } from './open-store.js';
import { blobOrNull, int, intOrNull, text, type Row } from './rows.js';
import { uuidv7 } from './uuidv7.js';

export type IdentitySource = 'card' | 'qr';

/** Personal fields as read from the card or QR identity; all sealed. */
export interface ApplicantFields {
  readonly idNumber: string;
  readonly name: string;
  readonly phone?: string;
  readonly address?: string;
  readonly gender?: string;
  readonly nation?: string;
  readonly birthDate?: string;
  /** Base64 of the ID card photo. */
  readonly photo?: string;
  readonly [key: string]: unknown;
}

export interface ApplicantRecord {
  readonly id: string;
  readonly identitySource: IdentitySource;
  /** Null once purged. */
  readonly fields: ApplicantFields | null;
  readonly createdAt: number;
  readonly purgedAt: number | null;
}

/** The lookup-hash domain of ID numbers (the same as agent/pii's idNumberLookupHash). */
export const ID_NUMBER_DOMAIN = 'idNumber';
const T = 'applicants';

export class ApplicantsRepo {
  constructor(
    private readonly core: StoreCore,
    private readonly cipher: StoreCipher,
  ) {}

  idNumberHash(idNumber: string): string {
    return this.cipher.lookupHash(ID_NUMBER_DOMAIN, idNumber.trim().toUpperCase());
  }

  insert(input: { identitySource: IdentitySource; fields: ApplicantFields; id?: string; at?: number }): ApplicantRecord {
    if (input.identitySource !== 'card' && input.identitySource !== 'qr') throw new InputError('store.identitySource', 'identity source must be card or qr');
    if (typeof input.fields.idNumber !== 'string' || input.fields.idNumber.trim() === '') throw new InputError('store.idNumber', 'an applicant needs an ID number');
    const id = input.id ?? uuidv7();
    const at = input.at ?? Date.now();
    const sealed = sealJson(this.cipher, input.fields, placeAad(T, id, 'fields'));
    this.core.db
      .prepare('INSERT INTO applicants (id, id_number_hash, identity_source, fields_sealed, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, this.idNumberHash(input.fields.idNumber), input.identitySource, sealed, at);
    return { id, identitySource: input.identitySource, fields: input.fields, createdAt: at, purgedAt: null };
  }

  get(id: string): ApplicantRecord | undefined {
    const r = this.core.db.prepare('SELECT * FROM applicants WHERE id = ?').get(id) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  /** Ids of the applicant records for one ID number (one per card read or QR identity). */
  findByIdNumber(idNumber: string): string[] {
    return (this.core.db.prepare('SELECT id FROM applicants WHERE id_number_hash = ? ORDER BY id').all(this.idNumberHash(idNumber)) as Row[]).map((r) =>
      text(r, T, 'id'),
    );
  }

  /** Erases the personal fields and the lookup hash; the row stays for the cases that refer to it. */
  purge(id: string, at: number = Date.now()): boolean {
    return this.core.db.prepare('UPDATE applicants SET fields_sealed = NULL, id_number_hash = NULL, purged_at = ? WHERE id = ? AND purged_at IS NULL').run(at, id).changes === 1;
  }

  private fromRow(r: Row): ApplicantRecord {
    const id = text(r, T, 'id');
    const source = text(r, T, 'identity_source');
    const sealed = blobOrNull(r, T, 'fields_sealed');
    return {
      id,
      identitySource: source as IdentitySource,
      fields: sealed ? (openJson(this.cipher, sealed, placeAad(T, id, 'fields')) as ApplicantFields) : null,
      createdAt: int(r, T, 'created_at'),
      purgedAt: intOrNull(r, T, 'purged_at'),
    };
  }
}
