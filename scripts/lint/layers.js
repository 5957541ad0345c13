// @ts-check
/**
 * ESLint rule `tongban/layers`: the import rules between the project's top-level folders.
 *
 *   base/      imports nothing of the project (the lowest layer: logging, errors, CLI framework)
 *   certs/     base
 *   drivers/   base
 *   sync/      base, certs
 *   agent/     base, certs, drivers, sync (the composition root)
 *   kiosk-ui/  nothing outside itself but type-only imports of agent/api/ (the API contract), and no
 *              Node-only module: it runs in a sandboxed renderer and in a plain browser.
 *
 * Files elsewhere (bin/, test/, bench/, scripts/) may import anything, and so may the kiosk's Node side
 * (kiosk-ui/build.ts, kiosk-ui/test/). Relative specifiers are resolved
 * against the importing file, so a folder of the same name deeper down is not mistaken for a layer.
 */
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

/** @type {Readonly<Record<string, readonly string[]>>} */
export const ALLOWED = {
  base: ['base'],
  certs: ['base', 'certs'],
  drivers: ['base', 'drivers'],
  sync: ['base', 'certs', 'sync'],
  agent: ['base', 'certs', 'drivers', 'sync', 'agent'],
  'kiosk-ui': ['kiosk-ui'],
};

/** Packages that need Node (native addons, sockets, the file system, Electron's main process). */
export const NODE_ONLY_PACKAGES = [
  'electron',
  'better-sqlite3',
  'serialport',
  'node-hid',
  'ws',
  'playwright-core',
  'playwright',
  'ipp',
  'tsx',
  'vitest',
];

/**
 * @param {string} spec
 */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the import rules between top-level folders' },
    schema: [],
    messages: {
      layer: '{{from}}/ may not import {{to}}/ ({{spec}}); {{from}}/ may import: {{allowed}}',
      nodeOnly: 'kiosk-ui/ runs in a browser sandbox and may not import the Node-only module "{{spec}}"; go through the agent API',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const rel = relative(root, file);
    if (rel.startsWith('..')) return {};
    const layer = rel.split(sep)[0] ?? '';
    const allowed = ALLOWED[layer];
    if (!allowed) return {};
    // The kiosk's Node side: its build script and its browser tests (they drive the pages from Node).
    if (layer === 'kiosk-ui' && (rel.startsWith(`kiosk-ui${sep}test${sep}`) || rel === `kiosk-ui${sep}build.ts`)) return {};

    /**
     * @param {import('estree').Node} node
     * @param {unknown} source
     * @param {boolean} typeOnly
     */
    function check(node, source, typeOnly) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.') || source.startsWith('/')) {
        const target = relative(root, resolve(dirname(file), source));
        if (target.startsWith('..')) return;
        const to = target.split(sep)[0] ?? '';
        if (!(to in ALLOWED) || allowed?.includes(to)) return;
        if (layer === 'kiosk-ui' && typeOnly && target.startsWith(`agent${sep}api${sep}`)) return;
        context.report({ node, messageId: 'layer', data: { from: layer, to, spec: source, allowed: allowed?.join(', ') ?? '' } });
        return;
      }
      if (layer === 'kiosk-ui' && (isBuiltin(source) || NODE_ONLY_PACKAGES.includes(packageName(source) ?? '') || source.startsWith('@serialport/'))) {
        context.report({ node, messageId: 'nodeOnly', data: { spec: source } });
      }
    }

    return {
      ImportDeclaration(node) {
        const n = /** @type {any} */ (node);
        const typeOnly = n.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => /** @type {any} */ (s).importKind === 'type'));
        check(node, node.source.value, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, /** @type {any} */ (node).exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, /** @type {any} */ (node).exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value, false);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value, false);
        }
      },
    };
  },
};

export default { rules: { layers: layersRule } };
