/**
 * Dangerous patterns (after Signal Desktop's `danger` lint): code that turns strings into code
 * or markup, or opens links outside the app. Each hit is an error unless the reviewed
 * exceptions file lists that file and pattern with a justification.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const EXCEPTIONS_FILE = 'security/dangerous-pattern-exceptions.json';

/** The one module allowed to call shell.openExternal. */
export const OPEN_EXTERNAL_MODULE = 'main/security/external-links.ts';

export function loadExceptions(rootDir) {
  const entries = JSON.parse(readFileSync(path.join(rootDir, EXCEPTIONS_FILE), 'utf8'));
  return new Set(entries.map((entry) => `${entry.file}#${entry.pattern}`));
}

/** @type {import('eslint').Rule.RuleModule} */
export const dangerousPatternRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid eval-like and markup-injecting code outside reviewed exceptions' },
    schema: [],
    messages: {
      eval: 'eval() runs a string as code.',
      'new-function': 'new Function() runs a string as code.',
      'string-timer': 'A string passed to {{name}} is run as code; pass a function.',
      'inner-html': 'Assigning {{name}} parses a string as HTML; build nodes or let React render text.',
      'insert-adjacent-html': 'insertAdjacentHTML parses a string as HTML.',
      'document-write': 'document.write parses a string as HTML.',
      'dangerously-set-inner-html': 'dangerouslySetInnerHTML renders a string as HTML.',
      'open-external': `shell.openExternal may be called only in ${OPEN_EXTERNAL_MODULE} (it allow-lists links).`,
    },
  },
  create(context) {
    const rootDir = context.cwd;
    const file = path.relative(rootDir, context.filename).split(path.sep).join('/');
    const exceptions = loadExceptions(rootDir);

    function report(node, pattern, data) {
      if (exceptions.has(`${file}#${pattern}`)) return;
      context.report({ node, messageId: pattern, data });
    }

    function propertyName(member) {
      if (member.type !== 'MemberExpression') return undefined;
      if (!member.computed && member.property.type === 'Identifier') return member.property.name;
      if (member.property.type === 'Literal') return String(member.property.value);
      return undefined;
    }

    return {
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type === 'Identifier' && callee.name === 'eval') report(node, 'eval');
        if (callee.type === 'Identifier' && callee.name === 'Function') report(node, 'new-function');
        const calleeName = callee.type === 'Identifier' ? callee.name : propertyName(callee);
        if ((calleeName === 'setTimeout' || calleeName === 'setInterval') && node.arguments[0]?.type === 'Literal') {
          report(node, 'string-timer', { name: calleeName });
        }
        if (calleeName === 'eval' && callee.type === 'MemberExpression') report(node, 'eval');
        if (calleeName === 'insertAdjacentHTML') report(node, 'insert-adjacent-html');
        if (
          (calleeName === 'write' || calleeName === 'writeln') &&
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          callee.object.name === 'document'
        ) {
          report(node, 'document-write');
        }
        if (calleeName === 'openExternal' && callee.type === 'MemberExpression' && file !== OPEN_EXTERNAL_MODULE)
          report(node, 'open-external');
      },
      NewExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'Function') report(node, 'new-function');
      },
      AssignmentExpression(node) {
        const name = propertyName(node.left);
        if (name === 'innerHTML' || name === 'outerHTML') report(node, 'inner-html', { name });
      },
      JSXAttribute(node) {
        if (node.name.type === 'JSXIdentifier' && node.name.name === 'dangerouslySetInnerHTML') report(node, 'dangerously-set-inner-html');
      },
    };
  },
};
