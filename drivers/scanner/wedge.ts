/**
 * Keyboard-wedge scanners type the code as keystrokes ending in Enter. This helper tells such a burst
 * from a person typing by timing alone. Pure and browser-safe (no Node imports): feed it the UI's key
 * events ({ key, timeStamp } of a KeyboardEvent) and it answers, per event, what happened.
 *
 *   const wedge = new WedgeDetector();
 *   input.addEventListener('keydown', (e) => {
 *     const results = wedge.feed({ key: e.key, timeStamp: e.timeStamp });
 *     e.preventDefault(); // the helper decides; typing comes back as 'typing' results
 *     for (const r of results) r.type === 'scan' ? onScan(r.text) : r.keys.forEach(typeKey);
 *   });
 *   setInterval(() => wedge.flush(performance.now()).forEach(...), 50); // release held keys as typing
 *
 * Rules (thresholds in the options):
 * - a scan is at least `minLength` printable keys, each at most `maxGapMs` after the one before
 *   (scanners: 1-15 ms; the fastest typists: 60-120 ms between keys, rarely under 40), ending in Enter
 *   at most `maxGapMs` after the last key;
 * - printable keys are held back while they could still be a scan; a slow gap, a non-printable key
 *   (Backspace, Tab, arrows) or an Enter after too few keys releases them as typing, in order;
 * - Shift (scanners press it for capitals) and other modifier keys are ignored;
 * - a burst longer than `maxLength` is given back as typing (and the text is bounded);
 * - the scan's text has control characters removed; it is never evaluated.
 * Held keys are released by the next key event or by `flush(now)`, which a UI calls on a timer so a
 * lone typed key appears after at most `maxGapMs` (plus the timer period).
 *
 * The limit of timing: a person's printable key that lands inside a burst, within `maxGapMs` of the
 * scanner's keys on both sides, cannot be told from the scanner's own and becomes part of the scan.
 * A key after a pause splits the burst (both parts typing unless a part is itself a full scan), and a
 * named key (Tab, Backspace) always breaks it.
 */

export interface WedgeKeyEvent {
  /** KeyboardEvent.key: "a", "7", "Enter", "Shift", "Backspace", ... */
  readonly key: string;
  /** KeyboardEvent.timeStamp, or any millisecond clock. */
  readonly timeStamp: number;
}

export type WedgeResult =
  | { readonly type: 'scan'; readonly text: string; readonly at: number }
  | { readonly type: 'typing'; readonly keys: readonly string[] };

export interface WedgeOptions {
  /** Longest gap between keys of a scan, ms (default 35). */
  readonly maxGapMs?: number;
  /** Fewest printable keys in a scan (default 6: EAN-8/UPC-E have 8; shorter bursts look like quick chords). */
  readonly minLength?: number;
  /** Most keys in a scan (default 4096). */
  readonly maxLength?: number;
  /** The key that ends a scan (default "Enter"). */
  readonly terminator?: string;
}

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'NumLock', 'Dead', 'Unidentified']);
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export class WedgeDetector {
  readonly maxGapMs: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly terminator: string;
  private held: string[] = [];
  private lastAt = Number.NEGATIVE_INFINITY;
  /** The current burst ran past maxLength: the rest of it, up to a pause or Enter, is typing. */
  private overflowed = false;

  constructor(options: WedgeOptions = {}) {
    this.maxGapMs = options.maxGapMs ?? 35;
    this.minLength = options.minLength ?? 6;
    this.maxLength = options.maxLength ?? 4096;
    this.terminator = options.terminator ?? 'Enter';
  }

  /** Keys held back right now (a possible scan in progress). */
  get pending(): number {
    return this.held.length;
  }

  feed(event: WedgeKeyEvent): WedgeResult[] {
    const out: WedgeResult[] = [];
    const { key, timeStamp } = event;
    if (MODIFIERS.has(key)) return out;
    const fast = timeStamp - this.lastAt <= this.maxGapMs;
    if (this.held.length > 0 && !fast) this.release(out);
    if (this.overflowed) {
      if (fast && key !== this.terminator && [...key].length === 1) {
        this.lastAt = timeStamp;
        out.push({ type: 'typing', keys: [key] });
        return out;
      }
      this.overflowed = false;
    }
    if (key === this.terminator) {
      if (this.held.length >= this.minLength && fast) {
        const text = this.held.join('').replace(CONTROL, '');
        this.held = [];
        this.lastAt = Number.NEGATIVE_INFINITY;
        out.push({ type: 'scan', text, at: timeStamp });
      } else {
        this.release(out, [key]);
      }
      return out;
    }
    if ([...key].length !== 1) {
      // a named key (Backspace, Tab, ArrowLeft...): a person; nothing held can be a scan
      this.release(out, [key]);
      return out;
    }
    if (this.held.length >= this.maxLength) {
      this.release(out, [key]);
      this.overflowed = true;
      this.lastAt = timeStamp;
      return out;
    }
    this.held.push(key);
    this.lastAt = timeStamp;
    return out;
  }

  /** Releases held keys as typing when no key came within `maxGapMs` of `now`. */
  flush(now: number): WedgeResult[] {
    const out: WedgeResult[] = [];
    if (this.held.length > 0 && now - this.lastAt > this.maxGapMs) this.release(out);
    return out;
  }

  private release(out: WedgeResult[], extra: string[] = []): void {
    const keys = [...this.held, ...extra];
    this.held = [];
    this.lastAt = Number.NEGATIVE_INFINITY;
    if (keys.length > 0) out.push({ type: 'typing', keys });
  }
}
