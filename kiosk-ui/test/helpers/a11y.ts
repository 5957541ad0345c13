/**
 * Accessibility checks with axe-core inside the real page. The page's CSP forbids inline scripts, so
 * axe is not added as a <script> tag: its source is evaluated through the DevTools protocol (which the
 * CSP does not govern), once per document.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

export interface AxeOptions {
  /** Only these rules (e.g. ['color-contrast']); default: every WCAG 2.x A/AA rule and axe's best practices. */
  rules?: string[];
  /** CSS selectors left out of the check. */
  exclude?: string[];
}

/** Runs axe on the page as it is now; returns every violation (any impact). */
export async function axeViolations(page: Page, options: AxeOptions = {}): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async ({ rules, exclude }) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) } : document;
    const runOnly = rules.length ? { type: 'rule', values: rules } : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] };
    const r = await axe.run(context, { runOnly, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })),
    }));
  }, { rules: options.rules ?? [], exclude: options.exclude ?? [] });
}

/** A readable list of violations: rule, impact, what it asks, and each element with axe's reason. */
export function formatViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => `    - ${n.target.join(' ')}  ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`)
        .join('\n');
      const more = v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more` : '';
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
}

/** Fails (throws) on any serious or critical violation, listing them readably. `label` names the screen. */
export async function checkA11y(page: Page, label = 'page', options: AxeOptions = {}): Promise<void> {
  const bad = (await axeViolations(page, options)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`accessibility (axe-core) on ${label}: ${bad.length} serious/critical violation(s)\n${formatViolations(bad)}`);
}
