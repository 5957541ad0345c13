/**
 * Chinese line breaking for the certificate templates.
 *
 * A line may break between any two CJK characters, and between CJK text and a run of Latin letters or
 * digits; a Latin run (an ID number, an amount, a certificate number) stays whole unless it alone is
 * wider than the line. The 避头尾 rules (GB/T 15834 usage, as in JIS X 4051 kinsoku) keep closing
 * punctuation off the start of a line and opening punctuation off its end: such a mark is glued to its
 * neighbour, so when the pair does not fit the neighbour moves down with it (推出).
 */

/** Marks that must not begin a line: closing brackets and quotes, pause and stop marks, dashes, ellipses. */
export const NO_LINE_START = new Set([
  ...'，。、；：？！）」』》〉】〕〗〙〛”’…—～·％‰℃°',
  ...'，．：；？！）］｝＞',
  ...',.;:?!)]}%',
]);

/** Marks that must not end a line: opening brackets and quotes, currency signs. */
export const NO_LINE_END = new Set([...'（「『《〈【〔〖〘〚“‘', ...'（［｛＜￥＄', ...'([{$¥']);

export interface BrokenLine {
  readonly text: string;
  /** Width in points as measured by the caller's measure function. */
  readonly width: number;
  /** True when the paragraph continues on the next line (the line may be justified). */
  readonly wrapped: boolean;
}

export interface BreakOptions {
  /** Width available for every line, in points. */
  readonly maxWidth: number;
  /** Narrower first line (e.g. the two-character indent of a paragraph), in points. */
  readonly firstLineIndent?: number;
  /** Width of one character (code point) in points. */
  readonly charWidth: (codePoint: number) => number;
}

function isLatin(cp: number): boolean {
  return cp > 0x20 && cp < 0x7f;
}

/** Atoms: a Latin run, a space, or one other character. */
function atoms(text: string): string[] {
  const out: string[] = [];
  let latin = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isLatin(cp)) {
      latin += ch;
      continue;
    }
    if (latin) {
      out.push(latin);
      latin = '';
    }
    out.push(ch);
  }
  if (latin) out.push(latin);
  return out;
}

/** Clusters that must stay on one line: atoms glued by the 避头尾 rules. Spaces stay alone. */
function clusters(line: string): string[] {
  const out: string[] = [];
  let glueNext = false;
  for (const atom of atoms(line)) {
    const first = [...atom][0]!;
    const last = [...atom].pop()!;
    const prev = out.length ? out[out.length - 1]! : undefined;
    const prevIsSpace = prev === ' ';
    if (prev !== undefined && !prevIsSpace && atom !== ' ' && (glueNext || NO_LINE_START.has(first))) {
      out[out.length - 1] = prev + atom;
    } else {
      out.push(atom);
    }
    glueNext = atom !== ' ' && NO_LINE_END.has(last);
  }
  return out;
}

function measure(text: string, charWidth: (cp: number) => number): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/**
 * Breaks `text` into lines no wider than `maxWidth` (the first line narrower by `firstLineIndent`).
 * A newline in the text ends a line without justification. Spaces at the end of a line are dropped.
 */
export function breakLines(text: string, options: BreakOptions): BrokenLine[] {
  const { maxWidth, charWidth } = options;
  const lines: BrokenLine[] = [];
  let first = true;
  for (const hardLine of text.split('\n')) {
    let current = '';
    let width = 0;
    const limit = (): number => maxWidth - (first ? (options.firstLineIndent ?? 0) : 0);
    const flush = (wrapped: boolean): void => {
      const trimmed = current.replace(/ +$/, '');
      lines.push({ text: trimmed, width: measure(trimmed, charWidth), wrapped });
      current = '';
      width = 0;
      first = false;
    };
    for (const cluster of clusters(hardLine)) {
      if (cluster === ' ' && current === '') continue; // no space at a line start
      const w = measure(cluster, charWidth);
      if (width + w <= limit() + 1e-6) {
        current += cluster;
        width += w;
        continue;
      }
      if (cluster === ' ') {
        flush(true);
        continue;
      }
      if (current !== '') flush(true);
      if (w <= limit() + 1e-6) {
        current = cluster;
        width = w;
        continue;
      }
      // Wider than a whole line (a very long number or address without breaks): cut by character.
      for (const ch of cluster) {
        const cw = charWidth(ch.codePointAt(0)!);
        if (current !== '' && width + cw > limit() + 1e-6) flush(true);
        current += ch;
        width += cw;
      }
    }
    flush(false);
  }
  return lines;
}
