/**
 * Process layering, enforced (after VS Code's `code-import-patterns`): each top-level folder
 * is one process or one kind of code, and may import only the folders listed for it.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** folder → what it may import. `node` = Node built-ins, `electron` = the electron module. */
export const LAYERS = {
  shared: { folders: ['shared'], node: false, electron: false },
  renderer: { folders: ['renderer', 'shared'], node: false, electron: false },
  preload: { folders: ['preload', 'shared'], node: false, electron: true },
  main: { folders: ['main', 'shared'], node: true, electron: true },
  server: { folders: ['server', 'shared', 'test-support'], node: true, electron: false },
  agent: { folders: ['agent', 'shared', 'test-support'], node: true, electron: false },
};

function isTestFile(filename) {
  return /\.test\.tsx?$/.test(filename);
}

function topFolder(rootDir, absolutePath) {
  const rel = path.relative(rootDir, absolutePath);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep)[0] ?? null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each process folder to the imports its layer allows' },
    schema: [],
    messages: {
      folder: "'{{from}}/' may not import from '{{to}}/' (allowed: {{allowed}}).",
      node: "'{{from}}/' runs where Node is not available: '{{source}}' is not allowed.",
      electron: "'electron' may be imported only in main/ and preload/.",
    },
  },
  create(context) {
    const rootDir = context.cwd;
    const filename = context.filename;
    const layerName = topFolder(rootDir, filename);
    const layer = layerName ? LAYERS[layerName] : undefined;
    const test = isTestFile(filename);

    function check(node, source) {
      if (typeof source !== 'string') return;
      if (source === 'electron' || source.startsWith('electron/')) {
        if (!layer?.electron && !(test && layerName === 'main')) context.report({ node, messageId: 'electron' });
        return;
      }
      if (!layer) return;
      // Exact names only: `fs/promises` is listed as such, and `punycode/punycode.js` is the npm package.
      if (NODE_BUILTINS.has(source)) {
        // Tests of browser-side code may read fixtures with Node; the code under test may not.
        if (!layer.node && !test) context.report({ node, messageId: 'node', data: { from: layerName, source } });
        return;
      }
      if (!source.startsWith('.')) return; // a package from node_modules
      const target = topFolder(rootDir, path.resolve(path.dirname(filename), source));
      if (target && !layer.folders.includes(target)) {
        context.report({ node, messageId: 'folder', data: { from: layerName, to: target, allowed: layer.folders.join(', ') } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};
