/**
 * Which case the 好差评 screen rates. After an application that is the submitted case (the session's
 * `submitted`, rated for the visit); after a pick-up the pick-up screen names the case here. The choice
 * belongs to one session: it is forgotten when the session is reset (sessionGeneration changes), like
 * everything else the citizen did.
 */
import { getSession, sessionGeneration } from '../state/session';

export interface RatingTarget {
  caseId: string;
  occasion: 'completion' | 'visit';
  /** Shown on the rating screen ("请对“…”的办理进行评价"). */
  itemName?: string;
}

let chosen: { generation: number; target: RatingTarget } | undefined;

export function setRatingTarget(target: RatingTarget): void {
  chosen = { generation: sessionGeneration(), target };
}

export function ratingTarget(): RatingTarget | undefined {
  if (chosen && chosen.generation === sessionGeneration()) return chosen.target;
  chosen = undefined;
  const submitted = getSession().submitted;
  return submitted ? { caseId: submitted.id, occasion: 'visit' } : undefined;
}
