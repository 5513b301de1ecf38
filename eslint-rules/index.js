import { dangerousPatternRule } from './dangerous-pattern.js';
import { layeringRule } from './layering.js';

/** Bulwark's own lint rules. */
export default {
  meta: { name: 'eslint-plugin-bulwark' },
  rules: {
    layering: layeringRule,
    'dangerous-pattern': dangerousPatternRule,
  },
};
