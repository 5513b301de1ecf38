/**
 * Public API of the Bulwark command policy engine (pure TypeScript; runs in console, server and agent).
 */
export { evaluatePolicy, MAX_INPUT_CHARS, MAX_HISTORY_LINES } from './engine';
export { analyse, type AnalyseOptions } from './analysis/analyse';
export type { Document, Layer, SimpleCommand, Word, Redirect, AnalysisNote, Assignment } from './analysis/document';
export { RULE_FAMILIES, type NamedRuleFamily } from './rules/index';
export type { Finding, RuleContext, RuleFamily } from './rules/rule';
export { portableSha256Hex, sha256Hex, useNativeSha256, type Sha256Factory } from './hash';
/** Single-value destination checks for the server (registration email domain, server URL, host). */
export {
  checkDestinationValue,
  checkEmailDomain,
  parseDestinationRule,
  parseDestinationValue,
  isDestinationAllowed,
  extractDestinations,
  type DestinationCheck,
  type ParsedDestinationRule,
} from './destinations/index';
export * from './types';
