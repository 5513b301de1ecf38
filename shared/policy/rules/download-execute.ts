/**
 * Download + execution: content fetched from the network and run, in one chain, across the
 * lines of a script, or across the lines of a terminal session (ctx.history).
 *
 * Techniques:
 * - piping a download into something that executes stdin (`curl … | sh`, `irm … | iex`, `| python3 -`),
 * - passing a download to something that executes its argument (`iex (irm …)`, `bash <(curl …)`,
 *   `eval "$(curl …)"`, `[ScriptBlock]::Create((iwr …))`), directly or through a variable,
 * - PowerShell statements that fetch in memory and execute (`IEX (New-Object Net.WebClient).DownloadString(…)`),
 * - writing a download to a file and running that file later (`iwr -OutFile x.exe` … `Start-Process x.exe`,
 *   `curl -o /tmp/x` … `/tmp/x`, `certutil -urlcache … x.exe && x.exe`),
 * - programs that fetch and run remote code themselves (`msiexec /i http…`, `mshta http…`,
 *   `regsvr32 /i:http… scrobj.dll`, `rundll32 … javascript:`), and interpreter one-liners that do both.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import {
  containsUrl,
  downloadedFiles,
  executedFiles,
  executesArguments,
  executesStdin,
  fetchesToOutput,
  fileKey as fileKeyOf,
  redirectOrPipeTargets,
  isFetch,
  isUrlWord,
} from '../analysis/semantics';
import { INTERPRETERS } from '../analysis/unwrap';
import type { Span } from '../types';
import { POWERSHELL_TEXT_RUNNERS } from './command-match';
import type { Finding, RuleContext, RuleFamily } from './rule';

const REMEDY = 'A supervisor can grant extended trust for this session, or save the script and have its hash permitted.';

/** What earlier commands (this text or earlier lines of the session) left behind. */
class SessionFlow {
  /** fileKey → span of the download (undefined when it happened in an earlier line). */
  readonly downloaded = new Map<string, Span | undefined>();
  /** Variables holding fetched content (lower case). */
  readonly fetchedVariables = new Map<string, Span | undefined>();
  /**
   * Files written by `echo … > file` (fileKey → whether the text written so far fetches code, and
   * whether it runs code), to judge scripts that are assembled then run. What the text contains is
   * kept rather than the text: appending to a file then costs only the appended text.
   */
  readonly writtenScripts = new Map<string, { fetches: boolean; runs: boolean }>();
  /** The written files whose text both fetches and runs code. */
  readonly fetchAndRunScripts = new Set<string>();
}

function variableKey(name: string): string {
  return name.toLowerCase();
}

/** Variables referenced in a word (`$x`, `${x}`, `$x.Content`, `%x%`). */
function referencedVariables(w: Word): string[] {
  const out: string[] = [];
  const v = w.value;
  for (let i = v.indexOf('$'); i >= 0 && i < v.length; i = v.indexOf('$', i + 1)) {
    let j = i + 1;
    if (v[j] === '{') j++;
    const start = j;
    while (j < v.length && /[A-Za-z0-9_:]/.test(v[j] as string)) j++;
    if (j > start) out.push(variableKey(v.slice(start, j).replace(/^(script|global|local|private):/i, '')));
    if (out.length > 16) break;
  }
  for (let i = v.indexOf('%'); i >= 0;) {
    const j = v.indexOf('%', i + 1);
    if (j < 0) break;
    if (j > i + 1) out.push(variableKey(v.slice(i + 1, j)));
    i = v.indexOf('%', j + 1);
    if (out.length > 32) break;
  }
  return out;
}

/** All commands nested (transitively) inside a word. */
function nestedCommands(doc: Document, w: Word, out: SimpleCommand[] = [], guard = { n: 0 }): SimpleCommand[] {
  for (const i of w.nested ?? []) {
    const cmd = doc.commands[i];
    if (!cmd || guard.n++ > 256) continue;
    out.push(cmd);
  }
  return out;
}

function fetchSpanIn(doc: Document, flow: SessionFlow, w: Word): Span | null | undefined {
  for (const c of nestedCommands(doc, w)) if (isFetch(c)) return c.span;
  for (const name of referencedVariables(w)) if (flow.fetchedVariables.has(name)) return flow.fetchedVariables.get(name) ?? null;
  return undefined;
}

/** Inline program text (python -c, perl -e …) that both fetches and executes. */
const CODE_FETCH = [
  'urllib',
  'urlopen',
  'requests.get',
  'requests.session',
  'session.get',
  'http.client',
  'httplib',
  'lwp::',
  'lwp::simple',
  'http::tiny',
  'net::http',
  'open-uri',
  'uri.open',
  'urlretrieve',
  'fetch(',
  'http.get(',
  'https.get(',
  'curl ',
  'wget ',
  'invoke-webrequest',
  'file_get_contents("http',
  "file_get_contents('http",
];
const CODE_EXEC = [
  'exec(',
  'eval(',
  'os.system',
  'subprocess',
  'popen',
  'system(',
  'execsync',
  'child_process',
  'spawn(',
  '`',
  'shell_exec',
  'passthru',
  'runtime.getruntime',
];

function codeFetchesAndRuns(code: string): boolean {
  const l = code.toLowerCase();
  return codeFetches(l) && codeRuns(l);
}

function codeFetches(lower: string): boolean {
  return CODE_FETCH.some((t) => lower.includes(t));
}

function codeRuns(lower: string): boolean {
  return CODE_EXEC.some((t) => lower.includes(t));
}

function finding(ruleId: string, message: string, spans: (Span | null | undefined)[]): Finding {
  const clean: Span[] = [];
  for (const s of spans) if (s && !clean.some((c) => c.start === s.start && c.end === s.end)) clean.push({ start: s.start, end: s.end });
  clean.sort((a, b) => a.start - b.start || a.end - b.end);
  return { code: 'download_execute', ruleId, standard: 'block', extended: 'flag', message, spans: clean, remedy: REMEDY };
}

/** Programs that fetch and run remote code given a URL. */
/** Programs that can fetch and run remote code by themselves (checked by name first: this runs for every command). */
const REMOTE_RUNNERS = new Set([
  'msiexec',
  'mshta',
  'regsvr32',
  'rundll32',
  'hh',
  'wmic',
  'cscript',
  'wscript',
  'msbuild',
  'installutil',
  'powershell',
  'pwsh',
  ...INTERPRETERS,
]);

function remoteRunner(cmd: SimpleCommand): Finding | null {
  const n = cmd.name;
  if (!REMOTE_RUNNERS.has(n)) return null;
  const args = cmd.words.slice(1);
  const url = args.find(isUrlWord);
  if (n === 'msiexec' && url && args.some((w) => /^[-/](i|package|a|j[mu]?|update|p|fa|fu)$/i.test(w.value) || /^[-/]i/i.test(w.value))) {
    return finding('dl.msiexec-url', 'msiexec installs a package straight from the network; the installer runs with no copy to review.', [
      cmd.span,
    ]);
  }
  if (n === 'mshta' && args.some((w) => containsUrl(w.value) || /^(javascript|vbscript):/i.test(w.value.trim()))) {
    return finding('dl.mshta-url', 'mshta runs an HTML application (script) fetched from the network or given inline.', [cmd.span]);
  }
  if (n === 'regsvr32' && args.some((w) => /^[-/]i:/i.test(w.value) && containsUrl(w.value))) {
    return finding('dl.regsvr32-url', 'regsvr32 /i:URL fetches a scriptlet from the network and runs it (the "Squiblydoo" technique).', [
      cmd.span,
    ]);
  }
  if (n === 'rundll32' && args.some((w) => containsUrl(w.value) || /(javascript|vbscript|mshtml)[:,]/i.test(w.value))) {
    return finding('dl.rundll32-url', 'rundll32 is given a URL or a script protocol, so it runs code that is not on disk.', [cmd.span]);
  }
  if (n === 'hh' && url)
    return finding('dl.hh-url', 'hh.exe opens a compiled help file from the network, which can run script.', [cmd.span]);
  if (n === 'wmic' && args.some((w) => /format:/i.test(w.value) && containsUrl(w.value))) {
    return finding('dl.wmic-xsl', 'wmic /format: loads an XSL stylesheet from the network, which can run script.', [cmd.span]);
  }
  if ((n === 'cscript' || n === 'wscript' || n === 'msbuild' || n === 'installutil') && url) {
    return finding('dl.script-host-url', `${n} runs a file from a remote location.`, [cmd.span]);
  }
  if (
    (n === 'powershell' || n === 'pwsh') &&
    args.some((w, k) => /^[-/]f(i(le?)?)?$/i.test(w.value) && containsUrl(args[k + 1]?.value ?? ''))
  ) {
    return finding('dl.ps-file-remote', 'PowerShell runs a script file from a remote location.', [cmd.span]);
  }
  if (INTERPRETERS.has(n) || n === 'powershell' || n === 'pwsh') {
    const codeIdx = args.findIndex((w) => /^-[a-z]*[ceEr]$/.test(w.value));
    const code = codeIdx >= 0 ? args[codeIdx + 1]?.value : undefined;
    if (code && INTERPRETERS.has(n) && codeFetchesAndRuns(code)) {
      return finding('dl.interpreter-inline', `${n} is given a one-liner that downloads code and runs it.`, [cmd.span]);
    }
  }
  return null;
}

function analyseDoc(doc: Document, flow: SessionFlow, report: Finding[] | null): void {
  const commands = doc.commands;
  const psExec = new Map<number, SimpleCommand[]>();
  const psFetch = new Map<number, SimpleCommand[]>();
  // `report` is null for the documents of earlier lines (the session history).
  const runsText = report ? POWERSHELL_TEXT_RUNNERS.of(doc) : POWERSHELL_TEXT_RUNNERS.ofHistory(doc);

  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i]!;
    const fetch = isFetch(cmd);
    // Remember what this command leaves behind.
    if (cmd.assignTo !== undefined && fetch && (fetchesToOutput(cmd) || cmd.shell === 'powershell')) {
      flow.fetchedVariables.set(variableKey(cmd.assignTo), report ? cmd.span : undefined);
    }
    if (fetch) for (const f of downloadedFiles(cmd, doc)) flow.downloaded.set(f, report ? cmd.span : undefined);
    // Fetched content kept in a variable and then written out (`$r.Content | Out-File x.hta`, `Set-Content x -Value $r`).
    if (
      flow.fetchedVariables.size > 0 &&
      !fetch &&
      cmd.words.some((w) => referencedVariables(w).some((v) => flow.fetchedVariables.has(v)))
    ) {
      const targets = redirectOrPipeTargets(cmd, doc);
      if (cmd.name === 'out-file' || cmd.name === 'set-content' || cmd.name === 'add-content') {
        const path = cmd.words
          .slice(1)
          .find(
            (w, k, all) =>
              !w.value.startsWith('-') &&
              !referencedVariables(w).length &&
              !/^-(v|va|val|valu|value|inputobject|encoding)$/i.test(all[k - 1]?.value ?? ''),
          );
        if (path) targets.push(path.value);
      }
      for (const t of targets) flow.downloaded.set(fileKeyOf(t), report ? cmd.span : undefined);
    }
    if ((cmd.name === 'echo' || cmd.name === 'printf') && cmd.redirects.length > 0) {
      for (const r of cmd.redirects) {
        if (r.op !== '>' && r.op !== '>>') continue;
        const key = executedKey(r.target.value);
        const text = cmd.words
          .slice(1)
          .map((w) => w.value)
          .join(' ')
          .toLowerCase();
        // `>>` appends after a line break, which no keyword spans: the file's text has a keyword when either part has.
        const before = r.op === '>>' ? flow.writtenScripts.get(key) : undefined;
        const script = { fetches: (before?.fetches ?? false) || codeFetches(text), runs: (before?.runs ?? false) || codeRuns(text) };
        flow.writtenScripts.set(key, script);
        if (script.fetches && script.runs) flow.fetchAndRunScripts.add(key);
        else flow.fetchAndRunScripts.delete(key);
      }
    }
    if (cmd.shell === 'powershell') {
      const st = cmd.statement ?? -1;
      if (runsText[i] === 1) push(psExec, st, cmd);
      if (
        fetch ||
        (flow.fetchedVariables.size > 0 && cmd.words.some((w) => referencedVariables(w).some((v) => flow.fetchedVariables.has(v))))
      )
        push(psFetch, st, cmd);
    }
    if (!report) continue;

    // 1. A download piped into something that executes stdin.
    if (cmd.position > 0 && executesStdin(cmd)) {
      const members = doc.pipelines[cmd.pipeline] ?? [];
      for (let p = 0; p < cmd.position; p++) {
        const prev = commands[members[p] as number];
        if (!prev) continue;
        const fromVariable =
          (prev.name === 'echo' || prev.name === 'printf' || prev.name === 'cat' || prev.name === '' || prev.name === 'write-output') &&
          flow.fetchedVariables.size > 0 &&
          prev.words.some((w) => referencedVariables(w).some((v) => flow.fetchedVariables.has(v)));
        const fromExpression = prev.name === '' && prev.words.some((w) => nestedCommands(doc, w).some(fetchesToOutput));
        if (fetchesToOutput(prev) || fromVariable || fromExpression) {
          report.push(
            finding(
              'dl.pipe-to-interpreter',
              `Content downloaded by \`${prev.words[0]?.value ?? prev.name}\` is piped into \`${cmd.words[0]?.value ?? cmd.name}\`, which runs it as code.`,
              [prev.span, cmd.span],
            ),
          );
          break;
        }
      }
    }

    // 2. A download passed as the code argument (`iex (irm …)`, `bash <(curl …)`, `eval "$(curl …)"`).
    const codeArgs = executesArguments(cmd);
    for (const w of codeArgs) {
      const src = fetchSpanIn(doc, flow, w);
      if (src !== undefined) {
        report.push(
          finding('dl.exec-argument', `\`${cmd.words[0]?.value ?? cmd.name}\` runs code that is downloaded from the network.`, [
            src,
            cmd.span,
          ]),
        );
        break;
      }
    }
    // `$(curl …)` in command position runs the download as a command line.
    const head = cmd.words[0];
    if (head && (head.value.startsWith('$(') || head.value.startsWith('`') || cmd.invocation !== undefined)) {
      for (const c of nestedCommands(doc, head)) {
        if (fetchesToOutput(c)) {
          report.push(finding('dl.exec-argument', 'A download is run as a command line.', [c.span, cmd.span]));
          break;
        }
      }
    }

    // 3. A downloaded file is executed.
    if (!fetch && (flow.downloaded.size > 0 || flow.fetchAndRunScripts.size > 0)) {
      const executed = executedFiles(cmd);
      for (const key of executed) {
        if (!flow.downloaded.has(key)) continue;
        report.push(finding('dl.file-then-run', `\`${key}\` is downloaded and then executed.`, [flow.downloaded.get(key), cmd.span]));
        break;
      }
      // A script assembled with echo/printf that downloads and runs code, then run.
      for (const key of executed) {
        if (flow.fetchAndRunScripts.has(key)) {
          report.push(
            finding('dl.script-then-run', `\`${key}\` is written with code that downloads and runs a payload, then executed.`, [cmd.span]),
          );
          break;
        }
      }
    }

    // 4. Programs that fetch and run by themselves.
    const remote = remoteRunner(cmd);
    if (remote) report.push(remote);
  }

  // 5. PowerShell statements that download in memory and execute (including enclosing statements).
  if (report) {
    for (const [st, execs] of psExec) {
      for (const exec of execs) {
        const statements = new Set<number>([st]);
        for (let p = exec.parent, guard = 0; p !== undefined && guard < 64; guard++) {
          const parent = commands[p];
          if (!parent) break;
          statements.add(parent.statement ?? -1);
          p = parent.parent;
        }
        let fetchCmd: SimpleCommand | undefined;
        for (const s of statements) {
          fetchCmd = psFetch.get(s)?.[0];
          if (fetchCmd) break;
        }
        if (fetchCmd) {
          report.push(
            finding('dl.ps.cradle', 'This PowerShell statement downloads code and executes it in memory (a download cradle).', [
              fetchCmd.span,
              exec.span,
            ]),
          );
          break;
        }
      }
    }
  }
}

function push(map: Map<number, SimpleCommand[]>, key: number, cmd: SimpleCommand): void {
  const list = map.get(key);
  if (list) list.push(cmd);
  else map.set(key, [cmd]);
}

/** The key under which running `path` is recorded (what `executedFiles` gives for a command word). */
function executedKey(path: string): string {
  return fileKeyOf(path);
}

export const downloadExecuteRules: RuleFamily = (doc: Document, ctx: RuleContext): Finding[] => {
  const flow = new SessionFlow();
  for (const h of ctx.history) analyseDoc(h, flow, null);
  const findings: Finding[] = [];
  analyseDoc(doc, flow, findings);
  // Only spans inside the current text (history lines are not part of it).
  const limit = doc.original.length;
  for (const f of findings) f.spans = f.spans.filter((s) => s.start >= 0 && s.end <= limit && s.start <= s.end);
  return findings;
};
