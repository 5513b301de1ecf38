/**
 * The rule contract. A rule family is a pure function from an analysed document to findings.
 * Rules never decide the final outcome: the engine (engine.ts) combines findings with trust,
 * permit-by-hash and tenant state.
 */
import type { Document } from '../analysis/document';
import type { ReasonCode, Span } from '../types';

export interface Finding {
  code: ReasonCode;
  ruleId: string;
  /** Severity for a tenant on standard trust. */
  standard: 'block' | 'flag';
  /** Severity while extended trust is in force. `'allow'` means the finding is still recorded (as flag) only if the engine decides to; see engine.ts. */
  extended: 'block' | 'flag';
  message: string;
  spans: Span[];
  remedy?: string;
}

export interface RuleContext {
  /** Earlier lines of the same terminal session, already analysed (oldest first). */
  history: readonly Document[];
}

export type RuleFamily = (doc: Document, ctx: RuleContext) => Finding[];
