/**
 * Which status moves the endpoint accepts, and from whom (pure). The endpoint knows no `submitted`:
 * a case it holds has been uploaded, so a kiosk's `submitted` is the endpoint's `uploaded`.
 *
 *   clerk (setStatus): uploaded → accepted | correctionRequested (note) | refused (note)
 *                      accepted → completed (a result) · refused → completed
 *   kiosk (case.transition): correctionRequested → submitted (补正, with the corrected content)
 *                      submitted → accepted · accepted → completed (a result)  (issued on site)
 */
import type { CaseStatus, EndpointStatus } from './protocol-types.js';

export type StoredStatus = Exclude<CaseStatus, 'submitted'>;

export const STORED_STATUSES: readonly StoredStatus[] = ['uploaded', 'accepted', 'correctionRequested', 'refused', 'completed'];

export interface StatusRule {
  readonly from: StoredStatus;
  readonly to: StoredStatus;
  readonly needsNote?: boolean;
  readonly needsResults?: boolean;
  readonly needsContent?: boolean;
}

export const CLERK_MOVES: readonly StatusRule[] = [
  { from: 'uploaded', to: 'accepted' },
  { from: 'uploaded', to: 'correctionRequested', needsNote: true },
  { from: 'uploaded', to: 'refused', needsNote: true },
  { from: 'accepted', to: 'completed', needsResults: true },
  { from: 'refused', to: 'completed' },
];

export const KIOSK_MOVES: readonly StatusRule[] = [
  { from: 'correctionRequested', to: 'uploaded', needsContent: true },
  { from: 'uploaded', to: 'accepted' },
  { from: 'accepted', to: 'completed', needsResults: true },
];

/** The kiosk's status as the endpoint holds it. */
export function stored(status: CaseStatus): StoredStatus {
  return status === 'submitted' ? 'uploaded' : status;
}

export function findRule(rules: readonly StatusRule[], from: StoredStatus, to: StoredStatus): StatusRule | undefined {
  return rules.find((r) => r.from === from && r.to === to);
}

export function isEndpointStatus(value: unknown): value is EndpointStatus {
  return value === 'accepted' || value === 'correctionRequested' || value === 'refused' || value === 'completed';
}

export function isStoredStatus(value: unknown): value is StoredStatus {
  return typeof value === 'string' && (STORED_STATUSES as readonly string[]).includes(value);
}
