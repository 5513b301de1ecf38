/**
 * How `policy:eval` and the technique-probe test evaluate a labelled item: standard trust, an
 * active tenant, no destination rules, and for items of a session the earlier items of that
 * session as history (so cross-line techniques are scored as a terminal would see them).
 */
import { evaluatePolicy } from '../../shared/policy/index';
import type { Decision } from '../../shared/policy/types';
import { buildContext } from './evaluate-stream';
import type { CorpusItem } from './score';

export function corpusEvaluator(now: number, onError: (item: CorpusItem, error: Error) => void = () => undefined) {
  const sessions = new Map<string, string[]>();
  return (item: CorpusItem): Decision | 'error' => {
    const history = item.session !== undefined ? (sessions.get(item.session) ?? []) : [];
    try {
      const context = buildContext({ trust: 'standard', blockedDestinations: [], now }, history.slice());
      return evaluatePolicy({ text: item.text, shell: item.shell, platform: item.platform, action: 'terminal_line', context }).decision;
    } catch (e) {
      onError(item, e as Error);
      return 'error';
    } finally {
      if (item.session !== undefined) sessions.set(item.session, [...history, item.text]);
    }
  };
}
