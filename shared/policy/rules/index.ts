/**
 * The rule families the engine runs, in a fixed order (the order of findings before sorting).
 * Each family is a pure function of the analysed document (see rule.ts).
 */
import { controlPlaneRules } from './control-plane';
import { credentialAccessRules } from './credential-access';
import { databaseRules } from './database';
import { defenseEvasionRules } from './defense-evasion';
import { downloadExecuteRules } from './download-execute';
import { encodedRules } from './encoded';
import { impactRules } from './impact';
import { offensiveToolRules } from './offensive-tools';
import { packageSourceRules } from './package-sources';
import { persistenceRules } from './persistence';
import { proxyExecutionRules } from './proxy-execution';
import { rmmToolRules } from './rmm-tools';
import type { RuleFamily } from './rule';
import { tunnelRules } from './tunnel';
import { webShellRules } from './web-shells';

export interface NamedRuleFamily {
  name: string;
  run: RuleFamily;
}

export const RULE_FAMILIES: readonly NamedRuleFamily[] = [
  { name: 'download-execute', run: downloadExecuteRules },
  { name: 'encoded', run: encodedRules },
  { name: 'proxy-execution', run: proxyExecutionRules },
  { name: 'rmm-tools', run: rmmToolRules },
  { name: 'persistence', run: persistenceRules },
  { name: 'tunnel', run: tunnelRules },
  { name: 'defense-evasion', run: defenseEvasionRules },
  { name: 'credential-access', run: credentialAccessRules },
  { name: 'offensive-tools', run: offensiveToolRules },
  { name: 'control-plane', run: controlPlaneRules },
  { name: 'impact', run: impactRules },
  { name: 'database', run: databaseRules },
  { name: 'web-shells', run: webShellRules },
  { name: 'package-sources', run: packageSourceRules },
];

export type { Finding, RuleContext, RuleFamily } from './rule';
