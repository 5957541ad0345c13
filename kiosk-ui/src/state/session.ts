/**
 * The citizen's session: which screen shows and what the citizen has entered so far. It lives in this
 * module's memory only (never in localStorage/sessionStorage/IndexedDB/cookies: personal data must not
 * survive the page), and resetSession() drops all of it at the end of a session or after idle time.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { clearStorageButToken } from '../api/token';

export type ScreenId = 'start' | 'identify' | 'items' | 'guide' | 'form' | 'materials' | 'review' | 'done' | 'certificate' | 'pickup' | 'rating' | 'staff';

export const SCREEN_IDS: readonly ScreenId[] = ['start', 'identify', 'items', 'guide', 'form', 'materials', 'review', 'done', 'certificate', 'pickup', 'rating', 'staff'];

export interface Applicant {
  name: string;
  idNumber: string;
  gender?: string;
  nation?: string;
  birthDate?: string;
  address?: string;
  issuer?: string;
  validUntil?: string;
  source: 'idcard' | 'code';
}

export interface SubmittedCase {
  id: string;
  serial: string;
  status: string;
  contentHash: string;
  itemCode: string;
  /** not yet at the endpoint (offline): "已保存，网络恢复后自动提交" */
  queued: boolean;
}

export interface Session {
  screen: ScreenId;
  /** Where identify leads: apply -> items (or form if an item is chosen); pickup -> pickup. */
  purpose: 'apply' | 'pickup';
  applicant?: Applicant;
  itemCode?: string;
  /** Field values as entered (strings; the form screen converts on submit). */
  form: Record<string, string>;
  /** Material id -> provision chosen. */
  materials: Record<string, string>;
  submitted?: SubmittedCase;
  /** 适老模式 */
  elder: boolean;
}

function fresh(): Session {
  return { screen: 'start', purpose: 'apply', form: {}, materials: {}, elder: false };
}

let current: Session = fresh();
const listeners = new Set<() => void>();
/** Counted resets: lets long-running work (a device wait) notice that its session ended meanwhile. */
let generation = 0;

function notify(): void {
  for (const l of [...listeners]) l();
}

export function getSession(): Session {
  return current;
}

/** The number of resets so far: work started in one session compares it before applying its result. */
export function sessionGeneration(): number {
  return generation;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function update(patch: Partial<Session>): void {
  current = { ...current, ...patch };
  notify();
}

export function go(screen: ScreenId, patch?: Partial<Session>): void {
  update({ ...patch, screen });
}

/** Every personal field gone, elder off, the start screen, the browser's storage cleared but the token. */
export function resetSession(): void {
  generation++;
  current = fresh();
  clearStorageButToken();
  notify();
}

/** A preact hook: the selected part of the session; the component re-renders when it changes. */
export function useSession<T>(select: (s: Session) => T): T {
  const [, setTick] = useState(0);
  // The latest selector (it may close over props), read when the session changes.
  const selector = useRef(select);
  selector.current = select;
  const value = select(current);
  const last = useRef(value);
  last.current = value;
  useEffect(
    () =>
      subscribe(() => {
        const next = selector.current(current);
        if (!Object.is(next, last.current)) {
          last.current = next;
          setTick((t) => t + 1);
        }
      }),
    [],
  );
  return value;
}
