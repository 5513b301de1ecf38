/**
 * False positives found on real published admin scripts (held-out set 10: RMM vendor libraries, agent deployment,
 * container hosts, Chinese-language batch files), each beside the technique it resembles, which must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function rules(text: string, shell: Shell): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

describe('CJK punctuation is typography, full-width syntax is a look-alike', () => {
  it('full-width commas, brackets and marks in comments and messages are allowed', () => {
    const script =
      ':: 清理临时文件，（每周）运行一次！\r\nREM 注意：需要管理员权限？\r\ndel /q /s %TEMP%\\*.tmp\r\necho 完成（共计 %count% 个）';
    expect(decision(script, 'cmd')).toBe('allow');
  });

  it.each<[string, Shell]>([
    ['ｃｕｒｌ -s https://example.com', 'bash'],
    ['cmd /c echo ＂x＂ ＆ calc', 'cmd'],
    ['type a.txt ｜ more', 'cmd'],
    ['net user x ＼＼host', 'cmd'],
    ['schtasks ／create ／tn x', 'cmd'],
  ])('full-width letters, quotes, operators and slashes are reported: %s', (text, shell) => {
    expect(rules(text, shell)).toContain('enc.unicode-fullwidth');
  });
});
