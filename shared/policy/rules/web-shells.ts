/**
 * Web shells (T1505.003): a page a web server runs that executes whatever a request sends. Blocked (persistence) when
 * a text writes a server-side script (`.php`, `.aspx`, `.jsp` …) whose content runs commands or evaluates request
 * data, or downloads a server-side script into a web folder. Writing ordinary pages and config files stays allowed.
 */
import type { Document } from '../analysis/document';
import { downloadedFiles, pipelineNeighbours } from '../analysis/semantics';
import { ChecksByName, FindingCollector, commandWord, writeTargets, type FindingSpec, type Invocation } from './command-match';
import type { RuleContext, RuleFamily } from './rule';

export const webShellRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  CHECKS.runOver(doc, out);
  return out.findings;
};

const SPEC_BASE = { code: 'persistence', ruleId: 'persist.webshell', standard: 'block', extended: 'block' } as const;
function webShell(message: string): FindingSpec {
  return { ...SPEC_BASE, message, remedy: 'Web applications are deployed through their own release process, not a remote session.' };
}

/** File names a web server runs as code. */
const WEB_SCRIPT = /\.(?:php\d?|phtml|aspx?|ashx|asmx|jspx?|cfm)$/;

/** Server-side calls that run commands or evaluate text, and the request data a shell takes its command from. */
const EXECUTION = [
  'system(',
  'shell_exec(',
  'passthru(',
  'exec(',
  'popen(',
  'proc_open(',
  'eval(',
  'assert(',
  'process.start',
  'diagnostics.process',
  'getruntime()',
  'processbuilder',
  'wscript.shell',
];
const REQUEST_DATA = [
  '$_get',
  '$_post',
  '$_request',
  '$_cookie',
  'request.item',
  'request[',
  'request.form',
  'request.querystring',
  'getparameter(',
];

/** Folders web servers serve from. */
const WEB_FOLDERS = ['wwwroot', '/inetpub/', '/var/www/', 'htdocs', 'public_html', '/webapps/', '/owa/', '/httpproxy/', '/aspnet_client/'];

function unquoted(lower: string): string {
  return lower.replace(/^["']+|["']+$/g, '').replaceAll('\\', '/');
}

/** `Set-Content x.aspx -Value '<% … Process.Start … %>'`, `echo '<?php system($_GET["c"]); ?>' | tee /var/www/x.php`. */
function checkScriptWrite(inv: Invocation, out: FindingCollector, doc: Document): void {
  const targets = writeTargets(inv);
  if (targets.length === 0) return;
  const target = targets.find((t) => WEB_SCRIPT.test(unquoted(t.lower)));
  if (target === undefined) return;
  const content: string[] = inv.args.map((w) => w.lower);
  for (const c of pipelineNeighbours(doc, inv.command, 'before', 2)) for (const w of c.words) content.push(w.lower);
  const text = content.join(' ');
  const call = EXECUTION.find((e) => text.includes(e));
  if (call === undefined || !(REQUEST_DATA.some((r) => text.includes(r)) || call !== 'eval(')) return;
  out.add(webShell(`Writes ${target.value}, a page the web server runs, that executes commands (${call.replace('(', '')}): a web shell.`), [
    commandWord(inv),
    target,
  ]);
}

/** `iwr http://… -OutFile C:\inetpub\wwwroot\aspnet_client\err.aspx`: a server-side script fetched into a web folder. */
function checkScriptDownload(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (downloadedFiles(inv.command, doc).length === 0) return;
  const file = inv.args.find((w) => {
    const p = unquoted(w.lower);
    return !p.includes('://') && WEB_SCRIPT.test(p) && WEB_FOLDERS.some((d) => p.includes(d));
  });
  if (file === undefined) return;
  out.add(webShell(`Downloads ${file.value}, a page the web server runs, into a web folder: whoever serves it decides what runs.`), [
    commandWord(inv),
    file,
  ]);
}

const CHECKS = new ChecksByName([
  { check: checkScriptWrite },
  {
    check: checkScriptDownload,
    names: ['invoke-webrequest', 'invoke-restmethod', 'curl', 'wget', 'start-bitstransfer', 'certutil', 'bitsadmin'],
  },
]);
