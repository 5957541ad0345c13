/**
 * 好差评: a case is rated once, on five levels, after it was completed (or refused, which concludes it
 * too) or at the end of the visit on site (gov-services.md). A bad rating (1 or 2) must be followed up.
 */
import { InputError } from '../../base/errors.js';
import { RATING_LABELS, type Case, type Rating } from './types.js';

export interface RatingRequest {
  readonly score: number;
  readonly occasion: 'completion' | 'visit';
  readonly comment?: string;
}

export class RatingRefused extends InputError {}

export function ratingLabel(score: 1 | 2 | 3 | 4 | 5): Rating['label'] {
  return RATING_LABELS[score - 1]!;
}

/** A bad rating (不满意, 非常不满意) must be followed up and fixed. */
export function needsFollowUp(rating: Rating): boolean {
  return rating.score <= 2;
}

/** The rating for `c`, checked (score, occasion, once only); `at` is the ISO time to record. */
export function makeRating(c: Pick<Case, 'status' | 'rating'>, request: RatingRequest, at: string): Rating {
  const { score, occasion, comment } = request;
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) {
    throw new RatingRefused('case.badRating', `rating.score must be a whole number from 1 (${RATING_LABELS[0]}) to 5 (${RATING_LABELS[4]})`);
  }
  if (occasion !== 'completion' && occasion !== 'visit') throw new RatingRefused('case.badRating', 'rating.occasion must be completion or visit');
  if (comment !== undefined && (typeof comment !== 'string' || [...comment].length > 500)) throw new RatingRefused('case.badRating', 'rating.comment must be text of at most 500 characters');
  if (c.rating) throw new RatingRefused('case.alreadyRated', 'this case has been rated already (a case is rated once)');
  if (occasion === 'completion' && c.status !== 'completed' && c.status !== 'refused') {
    throw new RatingRefused('case.notRatable', `a case is rated on completion only once it is completed or refused, this one is ${c.status}`);
  }
  if (occasion === 'visit' && c.status === 'draft') throw new RatingRefused('case.notRatable', 'a draft was not submitted: there is no visit to rate');
  const s = score as Rating['score'];
  const text = comment?.trim();
  return { score: s, label: ratingLabel(s), occasion, at, ...(text ? { comment: text } : {}) };
}
