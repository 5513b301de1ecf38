/**
 * Finds text that a command will itself run, so it can be analysed as a layer of its own:
 * `bash -c '…'`, `cmd /c …`, `powershell -Command …` / `-EncodedCommand …`, `Invoke-Expression`
 * and `eval` of constants, text piped into a shell (`echo … | sh`, `… | base64 -d | sh`),
 * here-documents fed to a shell, decoded `FromBase64String` constants, and command lines stored
 * in arguments (`schtasks /tr "…"`, Run-key values, `Start-Process powershell -ArgumentList …`).
 */
import { LIMITS, type DerivedText, type DocBuilder } from './builder';
import { decodeBase64Text, findBase64Runs } from './decode';
import type { Layer, SimpleCommand, Word } from './document';
import { derivedLayer, offsetLayer, PieceTextBuilder } from './layer';
import { programName } from './names';
import type { Platform, Shell, Span } from '../types';

export interface NestedText {
  layer: Layer;
  /** Whether the layer is lexed into commands (false: decoded data, searchable only). */
  lex: boolean;
}

export const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'busybox', 'fish']);
export const POWERSHELL_HOSTS = new Set(['powershell', 'pwsh', 'powershell_ise']);
/** Script interpreters that execute program text read from stdin or `-c`/`-e`. */
export const INTERPRETERS = new Set([
  'python',
  'python2',
  'python3',
  'perl',
  'ruby',
  'php',
  'node',
  'nodejs',
  'lua',
  'osascript',
  'tclsh',
  'wish',
  'jrunscript',
]);
/** Programs whose name at the start of a quoted argument marks it as a command line. */
const COMMAND_LINE_PROGRAMS = new Set([
  'cmd',
  'powershell',
  'pwsh',
  'mshta',
  'rundll32',
  'regsvr32',
  'wscript',
  'cscript',
  'msiexec',
  'certutil',
  'bitsadmin',
  'curl',
  'wget',
  'bash',
  'sh',
  'start',
  'python',
  'python3',
  'forfiles',
  'conhost',
]);

/** Commands that store or schedule a command line given as an argument (autostart entries, services, tasks, WMI). */
const STORING_COMMANDS = new Set([
  'schtasks',
  'reg',
  'sc',
  'at',
  'wmic',
  'setx',
  'set-itemproperty',
  'new-itemproperty',
  'new-service',
  'set-service',
  'new-scheduledtaskaction',
  'register-scheduledtask',
  'invoke-wmimethod',
  'invoke-cimmethod',
  'set-wmiinstance',
  'new-ciminstance',
  'crontab',
  'launchctl',
  'systemd-run',
  'runas',
]);
/** Remote/elevated runners whose trailing arguments are a command line (`psexec \\host -s cmd /c …`). */
const RUNNER_PREFIXES = new Set(['psexec', 'psexec64', 'paexec', 'runas', 'csexec']);

export const BASE64_DECODERS = new Set(['base64', 'b64decode', 'gbase64']);

/** Every command name unwrapCommand or storedCommandLines treats specially (others need neither). */
const UNWRAPPED_NAMES = new Set([
  ...POSIX_SHELLS,
  'su',
  'runuser',
  ...INTERPRETERS,
  'cmd',
  ...POWERSHELL_HOSTS,
  'invoke-expression',
  'eval',
  'start-process',
  'start',
  ...RUNNER_PREFIXES,
  ...STORING_COMMANDS,
  'forfiles',
]);

function shellOfProgram(name: string): Shell {
  if (name === 'zsh') return 'zsh';
  if (name === 'bash') return 'bash';
  return 'sh';
}

export class Unwrapper {
  constructor(
    private readonly b: DocBuilder,
    private readonly original: string,
    private readonly platform: Platform,
  ) {}

  /** Nested texts for the commands [from, to) of the builder, parsed at `depth`. */
  find(from: number, to: number, depth: number): NestedText[] {
    const out: NestedText[] = [];
    const b = this.b;
    const derived = b.derivedCommandLines;
    for (let i = from; i < to; i++) {
      const cmd = b.commands[i] as SimpleCommand;
      const line = derived !== null ? derived.get(i) : undefined;
      if (line !== undefined) this.derivedCommandLine(cmd, line, depth, out);
      if (!UNWRAPPED_NAMES.has(cmd.name)) {
        // The common case: a command that runs or stores no command line; only a PowerShell word can still decode base64.
        if (cmd.shell === 'powershell') this.fromBase64Constants(cmd, depth, out);
        continue;
      }
      const before = out.length;
      this.unwrapCommand(cmd, depth, out);
      if (out.length === before) this.storedCommandLines(cmd, depth, out);
    }
    return out;
  }

  private unwrapCommand(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const name = cmd.name;
    const words = cmd.words;
    if (POSIX_SHELLS.has(name) || name === 'su' || name === 'runuser') {
      const shell = shellOfProgram(name === 'su' || name === 'runuser' ? 'sh' : name);
      let sawC = false;
      let hasScript = false;
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        if (sawC) {
          out.push(this.wordsLayer([w], shell, depth, 'nested_shell'));
          return;
        }
        if (/^-[a-z]*c[a-z]*$/i.test(w.value) && !w.quoted) sawC = true;
        else if (w.value === '-s' || w.value === '-') continue;
        else if (!w.value.startsWith('-')) hasScript = true;
        if (name === 'busybox' && k === 1) continue;
      }
      if (!hasScript) this.stdinText(cmd, shell, depth, out);
      return;
    }
    if (name === 'osascript') {
      this.appleScriptShellScripts(cmd, depth, out);
      return;
    }
    if (INTERPRETERS.has(name)) return;
    if (name === 'forfiles') {
      this.forfilesCommand(cmd, depth, out);
      return;
    }
    if (name === 'cmd' && cmd.shell !== 'powershell') {
      this.cmdSlashC(cmd, depth, out);
      return;
    }
    if (name === 'cmd') {
      this.cmdSlashC(cmd, depth, out);
      return;
    }
    if (POWERSHELL_HOSTS.has(name)) {
      this.powershellHost(cmd, depth, out);
      return;
    }
    if (name === 'invoke-expression' && cmd.shell === 'powershell') {
      const arg = words.slice(1).find((w) => !/^-c(o(m(m(a(nd?)?)?)?)?)?$/i.test(w.value));
      if (arg && isConstantWord(arg)) out.push(this.wordsLayer([arg], 'powershell', depth, 'constant_string'));
      else if (!arg) this.pipedConstant(cmd, 'powershell', depth, out);
      return;
    }
    if (name === 'eval' && cmd.shell !== 'powershell' && cmd.shell !== 'cmd') {
      const args = words.slice(1);
      if (args.length > 0 && args.every(isConstantWord)) out.push(this.wordsLayer(args, cmd.shell, depth, 'constant_string'));
      return;
    }
    if (cmd.shell === 'powershell') this.fromBase64Constants(cmd, depth, out);
  }

  /**
   * A command whose command word's output was derived (`$(echo B64 | base64 -d) args`): that output
   * followed by the other words is what runs. The shell only splits the output into words; lexing it
   * as a command line also sees what it would take for `eval` (`curl … | sh` inside the payload).
   */
  private derivedCommandLine(cmd: SimpleCommand, line: DerivedText, depth: number, out: NestedText[]): void {
    if (cmd.words.length === 1) {
      out.push({ layer: derivedLayer(line.span, line.text, cmd.shell, depth, line.origin), lex: true });
      return;
    }
    const builder = new PieceTextBuilder();
    builder.append(line.text, line.span);
    for (let k = 1; k < cmd.words.length; k++) {
      const w = cmd.words[k] as Word;
      builder.separator(' ');
      builder.append(w.value, w.span);
    }
    out.push({ layer: builder.build(cmd.shell, depth, line.origin), lex: true });
  }

  /** `cmd /c …`, `cmd /k …`, `cmd /r …`: the rest of the line is a cmd command line. */
  private cmdSlashC(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (lower === '/c' || lower === '/k' || lower === '/r') {
        const rest = words.slice(k + 1);
        if (rest.length > 0) out.push(this.wordsLayer(rest, 'cmd', depth, 'nested_shell'));
        return;
      }
      if (lower.startsWith('/c') || lower.startsWith('/k') || lower.startsWith('/r')) {
        const first = { ...w, value: w.value.slice(2), lower: lower.slice(2), span: w.span };
        out.push(this.wordsLayer([first, ...words.slice(k + 1)], 'cmd', depth, 'nested_shell'));
        return;
      }
    }
  }

  /**
   * `forfiles … /c "cmd /c …"`: forfiles runs its /c value as a command line for every file it finds,
   * after replacing `0xHH` codes by their characters.
   */
  private forfilesCommand(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (lower.length < 2 || (lower[0] !== '/' && lower[0] !== '-') || lower[1] !== 'c') continue;
      let command: Word | undefined;
      if (lower.length === 2 && !w.quoted) command = words[k + 1];
      else if (lower.length > 2 && w.quoted) command = { ...w, value: w.value.slice(2), lower: lower.slice(2), span: w.span };
      if (!command) continue;
      const decoded = command.value.replace(/0x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (decoded !== command.value) out.push({ layer: derivedLayer(command.span, decoded, 'cmd', depth, 'char_codes'), lex: true });
      else out.push(this.wordsLayer([command], 'cmd', depth, 'nested_shell'));
      return;
    }
  }

  /**
   * `osascript -e 'do shell script "…"'` (AppleScript) and `-e 'app.doShellScript("…")'` (JavaScript):
   * the string is run by /bin/sh. Its text is built from string literals joined by `&` (AppleScript)
   * or `+` (JavaScript); an operand that is not a literal stands in by its own text.
   */
  private appleScriptShellScripts(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    for (let k = 1; k < words.length - 1; k++) {
      const option = words[k] as Word;
      if (option.quoted || option.value !== '-e') continue;
      const script = words[++k] as Word;
      const base = this.verbatimOffset(script);
      const text = script.value;
      const starts = /\bdo[ \t]+shell[ \t]+script\b|\bdoShellScript[ \t]*\(/gi;
      // Scanning resumes after the expression just read (linear), for a bounded number of scripts per word.
      let tries = 0;
      for (let m = starts.exec(text); m !== null && tries < 16; m = starts.exec(text)) {
        tries++;
        const { pieces, end } = scriptStringPieces(text, m.index + m[0].length, m[0].endsWith('('));
        starts.lastIndex = Math.max(starts.lastIndex, end);
        if (pieces.length === 0) continue;
        const only = pieces[0] as ScriptPiece;
        if (pieces.length === 1 && base >= 0 && text.slice(only.start, only.end) === only.text) {
          out.push({ layer: offsetLayer(base + only.start, this.original.length, only.text, 'sh', depth, 'nested_shell'), lex: true });
          continue;
        }
        const builder = new PieceTextBuilder();
        for (const piece of pieces)
          builder.append(piece.text, base >= 0 ? { start: base + piece.start, end: base + piece.end } : script.span);
        out.push({ layer: builder.build('sh', depth, 'nested_shell'), lex: true });
      }
    }
  }

  /** Where a word's value stands verbatim in the original (bare or inside one pair of quotes), or -1. */
  private verbatimOffset(w: Word): number {
    const { start, end } = w.span;
    if (end - start === w.value.length && this.original.slice(start, end) === w.value) return start;
    if (end - start === w.value.length + 2 && this.original.slice(start + 1, end - 1) === w.value) return start + 1;
    return -1;
  }

  /** `powershell [options] -EncodedCommand B64 | -Command … | …` */
  private powershellHost(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    const withArg =
      /^[-/](ex(e(c(u(t(i(o(n(p(o(l(i(cy?)?)?)?)?)?)?)?)?)?)?)?)?|ep|w(i(n(d(o(w(s(t(y(le?)?)?)?)?)?)?)?)?)?|v(e(r(s(i(on?)?)?)?)?)?|ps(c(o(n(s(o(l(e(f(i(le?)?)?)?)?)?)?)?)?)?)?|in(p(u(t(f(o(r(m(at?)?)?)?)?)?)?)?)?|o(u(t(p(u(t(f(o(r(m(at?)?)?)?)?)?)?)?)?)?)?|con(f(i(g(u(r(a(t(i(o(n(n(a(me?)?)?)?)?)?)?)?)?)?)?)?)?)?|wd|workingdirectory|settingsfile|custompipename)$/i;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (!w.quoted && /^[-/]e(n(c(o(d(e(d(c(o(m(m(a(nd?)?)?)?)?)?)?)?)?)?)?)?)?$|^[-/]ec$/.test(lower)) {
        const payload = words[k + 1];
        const span = payload ? { start: w.span.start, end: payload.span.end } : w.span;
        if (!payload) {
          this.b.note('encoded_command', span, 'missing payload');
          return;
        }
        const decoded = decodeBase64Text(payload.value.replace(/^['"]|['"]$/g, ''), LIMITS.maxDerivedChars);
        if (!decoded) {
          this.b.note('encoded_command', span, 'unresolved');
          return;
        }
        this.b.note('encoded_command', span);
        out.push({ layer: derivedLayer(payload.span, decoded.text, 'powershell', depth, 'encoded_command'), lex: true });
        return;
      }
      if (!w.quoted && /^[-/](c(o(m(m(a(nd?)?)?)?)?)?)?$/i.test(lower) && lower.length >= 2) {
        const rest = words.slice(k + 1);
        if (rest.length > 0 && !rest[0]?.value.startsWith('{')) out.push(this.wordsLayer(rest, 'powershell', depth, 'nested_shell'));
        return;
      }
      if (!w.quoted && /^[-/]f(i(le?)?)?$/.test(lower)) return;
      if (!w.quoted && withArg.test(lower)) {
        k++;
        continue;
      }
      if (!w.quoted && /^[-/]/.test(lower) && lower.length > 1) continue;
      // First non-option argument: the rest of the line is the command.
      const rest = words.slice(k);
      if (rest.length > 0 && !rest[0]?.value.startsWith('{')) out.push(this.wordsLayer(rest, 'powershell', depth, 'nested_shell'));
      return;
    }
  }

  /** Text fed to a shell on stdin: here-doc/here-string, or a constant `echo`/`printf` (possibly base64-decoded) earlier in the pipeline. */
  private stdinText(cmd: SimpleCommand, shell: Shell, depth: number, out: NestedText[]): void {
    for (const r of cmd.redirects) {
      if (r.op === '<' && r.heredoc) {
        out.push(this.wordsLayer([r.target], shell, depth, 'nested_shell'));
        return;
      }
    }
    this.pipedConstant(cmd, shell, depth, out);
  }

  private pipedConstant(cmd: SimpleCommand, shell: Shell, depth: number, out: NestedText[]): void {
    if (cmd.position === 0) return;
    const output = pipelineOutput(this.b, this.b.pipelines[cmd.pipeline] ?? [], cmd.position - 1);
    if (!output) return;
    if (output.words) {
      out.push(this.wordsLayer(output.words, shell, depth, 'nested_shell'));
      return;
    }
    if (output.origin === 'base64') this.b.note('base64_decoded', output.span);
    out.push({ layer: derivedLayer(output.span, output.text, shell, depth, output.origin), lex: true });
  }

  /** `[Convert]::FromBase64String('…')` with the payload written out: decode it (text only, not executed by itself). */
  private fromBase64Constants(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    for (const w of cmd.words) {
      // Cheap exits before `lower` is built: the call is 17 characters, and lower-casing yields the ASCII '6' and '4'
      // only from themselves and lengthens only 'İ' (to 'i' + U+0307, which the call does not contain).
      if (w.value.length < 17 || !w.value.includes('64')) continue;
      const idx = w.lower.indexOf('frombase64string(');
      if (idx < 0) continue;
      const tail = w.value.slice(idx + 17, idx + 17 + 65536);
      for (const [s, e] of findBase64Runs(tail, 16)) {
        const token = tail.slice(s, e);
        const decoded = decodeBase64Text(token, LIMITS.maxDerivedChars);
        if (!decoded) continue;
        this.b.note('base64_decoded', w.span);
        out.push({ layer: derivedLayer(w.span, decoded.text, 'powershell', depth, 'base64'), lex: true });
      }
    }
  }

  /** Quoted command lines stored in arguments (`schtasks /tr "powershell …"`, `reg add … /d "cmd /c …"`). */
  private storedCommandLines(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    // `Start-Process powershell -ArgumentList '…'` / `start "" cmd /c …`
    if (cmd.name === 'start-process' || cmd.name === 'start') {
      let program: Word | undefined;
      const args: Word[] = [];
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        const l = w.lower;
        if (cmd.shell === 'powershell' && /^-(f(i(l(e(p(a(th?)?)?)?)?)?)?)$/.test(l)) {
          program = words[++k];
        } else if (cmd.shell === 'powershell' && /^-a(r(g(u(m(e(n(t(l(i(st?)?)?)?)?)?)?)?)?)?)?$|^-args$/.test(l)) {
          const a = words[++k];
          if (a) args.push(a);
        } else if (program && cmd.shell !== 'powershell') {
          // cmd's `start`: everything after the program is the program's command line.
          args.push(w);
        } else if (l.startsWith('-') || (l.startsWith('/') && cmd.shell !== 'powershell' && l.length <= 12)) {
          if (cmd.shell === 'powershell' && words[k + 1] && !words[k + 1]?.value.startsWith('-')) k++;
        } else if (!program && !(cmd.shell !== 'powershell' && w.quoted && k === 1)) program = w;
        else args.push(w);
      }
      if (program && COMMAND_LINE_PROGRAMS.has(programName(program.value))) {
        out.push(this.wordsLayer([program, ...args], this.platform === 'windows' ? 'cmd' : 'sh', depth, 'nested_shell'));
      }
      return;
    }
    if (RUNNER_PREFIXES.has(cmd.name)) {
      // Skip the runner's own options and host, the rest is the command it runs.
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        if (w.value.startsWith('\\\\') || /^[-/]/.test(w.value)) {
          if (/^[-/](u|p|w|n|h|d|user|a|c)$/i.test(w.value) && cmd.name !== 'runas') k++;
          continue;
        }
        out.push(this.wordsLayer(words.slice(k), this.platform === 'windows' ? 'cmd' : 'sh', depth, 'nested_shell'));
        return;
      }
      return;
    }
    if (!STORING_COMMANDS.has(cmd.name)) return;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      if (!w.quoted || w.value.length < 4 || w.nested) continue;
      const firstToken = w.value.trimStart().split(/[\s"']/, 1)[0] ?? '';
      const prog = programName(firstToken);
      if (!COMMAND_LINE_PROGRAMS.has(prog)) continue;
      if (w.value.trimStart().length === firstToken.length) continue; // a bare program name, no command line
      const shell: Shell = this.platform === 'windows' || cmd.shell === 'cmd' || cmd.shell === 'powershell' ? 'cmd' : 'sh';
      out.push(this.wordsLayer([w], shell, depth, 'nested_shell'));
    }
  }

  /** A layer over the values of `words`, with spans as exact as the source allows. */
  private wordsLayer(words: Word[], shell: Shell, depth: number, origin: Layer['origin']): NestedText {
    if (words.length === 1) {
      const w = words[0] as Word;
      const { start, end } = w.span;
      if (this.original.slice(start, end) === w.value)
        return { layer: offsetLayer(start, this.original.length, w.value, shell, depth, origin), lex: true };
      if (end - start === w.value.length + 2 && this.original.slice(start + 1, end - 1) === w.value) {
        return { layer: offsetLayer(start + 1, this.original.length, w.value, shell, depth, origin), lex: true };
      }
    }
    const builder = new PieceTextBuilder();
    words.forEach((w, k) => {
      if (k > 0) builder.separator(' ');
      builder.append(w.value, w.span);
    });
    return { layer: builder.build(shell, depth, origin), lex: true };
  }
}

/** A piece of a script's string expression: its text and where it stands in the script, [start, end). */
interface ScriptPiece {
  text: string;
  start: number;
  end: number;
}

/** AppleScript's text constants, as they may be joined into a string with `&`. */
const APPLESCRIPT_CONSTANTS: Readonly<Record<string, string>> = { space: ' ', tab: '\t', return: '\r', linefeed: '\n', quote: '"' };
/** AppleScript words that start a `do shell script` parameter rather than an operand. */
const APPLESCRIPT_PARAMETERS = new Set(['with', 'without', 'as', 'user', 'password', 'altering', 'administrator']);

/**
 * The operands of the string expression starting at `from`: literals `"…"` (also `'…'` and backquotes in
 * JavaScript) with their escapes resolved, joined by `&` (AppleScript) or `+` (JavaScript). Empty when
 * the expression holds no literal; `end` is where reading stopped.
 */
function scriptStringPieces(text: string, from: number, js: boolean): { pieces: ScriptPiece[]; end: number } {
  const pieces: ScriptPiece[] = [];
  let literals = 0;
  let i = from;
  const join = js ? '+' : '&';
  // Bounded per expression (reading resumes after it): a real script joins a handful of parts.
  while (pieces.length < 256) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || (js && text[i] === '('))) i++;
    const c = text[i];
    if (c === '"' || (js && (c === "'" || c === '`'))) {
      let value = '';
      let run = i + 1;
      let j = run;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[j + 1] as string;
          value += text.slice(run, j) + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e);
          j += 2;
          run = j;
          continue;
        }
        j++;
      }
      value += text.slice(run, j);
      pieces.push({ text: value, start: i + 1, end: j });
      literals++;
      i = Math.min(j + 1, text.length);
    } else {
      // Another operand (a variable, `quoted form of x`): up to the next operator, quote or end of line.
      let j = i;
      while (j < text.length && !'&+"\'`)\n\r,;'.includes(text[j] as string)) j++;
      const operand = text.slice(i, j).trim();
      const first = /^[a-z]+/i.exec(operand)?.[0].toLowerCase() ?? '';
      if (operand === '' || (!js && APPLESCRIPT_PARAMETERS.has(first))) break;
      pieces.push({ text: APPLESCRIPT_CONSTANTS[operand.toLowerCase()] ?? operand, start: i, end: j });
      i = j;
    }
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== join) break;
    i++;
  }
  return { pieces: literals > 0 ? pieces : [], end: i };
}

/**
 * What a pipeline writes to stdout up to and including its member at `last`, when the text itself
 * determines it: a constant `echo`/`printf`/string (possibly through `tr`, `cat`, `rev`, `Out-String`),
 * base64-decoded, or with printf's backslash escapes interpreted. `words` is set when the output is
 * the constant words as written; otherwise `text` was derived from the words at `span`.
 */
export interface PipelineOutput {
  words: Word[] | null;
  text: string;
  span: Span;
  origin: 'base64' | 'char_codes' | 'nested_shell';
}

export function pipelineOutput(b: DocBuilder, members: readonly number[], last: number): PipelineOutput | null {
  let decode = false;
  for (let p = last; p >= 0; p--) {
    const prev = b.commands[members[p] as number];
    if (!prev) return null;
    if (
      BASE64_DECODERS.has(prev.name) ||
      (prev.name === 'openssl' && prev.words.some((w) => w.lower === 'base64' || w.lower === '-base64'))
    ) {
      decode = true;
      continue;
    }
    const source = constantSource(prev);
    if (!source && (prev.name === 'out-string' || prev.name === 'tr' || prev.name === 'cat' || prev.name === 'rev')) continue;
    if (!source) return null;
    const span: Span = { start: (source[0] as Word).span.start, end: (source[source.length - 1] as Word).span.end };
    if (decode) {
      const token = source
        .map((w) => w.value)
        .join('')
        .replace(/\\n/g, '');
      const decoded = decodeBase64Text(token, LIMITS.maxDerivedChars);
      if (!decoded) return null;
      return { words: null, text: decoded.text, span, origin: 'base64' };
    }
    if (prev.name === 'printf' || (prev.name === 'echo' && prev.words.some((w) => /^-[a-z]*e[a-z]*$/i.test(w.value)))) {
      // printf / echo -e interpret `\xHH` and octal escapes: analyse what the shell will actually read.
      const raw = source.map((w) => w.value).join(' ');
      const decoded = decodeBackslashEscapes(raw);
      if (decoded !== raw) return { words: null, text: decoded, span, origin: 'char_codes' };
    }
    return { words: source, text: '', span, origin: 'nested_shell' };
  }
  return null;
}

/** The constant text a command writes to stdout (`echo`, `printf`, a PowerShell string expression), if any. */
function constantSource(cmd: SimpleCommand): Word[] | null {
  if (cmd.name === '' && cmd.shell === 'powershell') {
    const w = cmd.words[0];
    return cmd.words.length === 1 && w && isConstantWord(w) ? [w] : null;
  }
  if (cmd.name === 'echo' || cmd.name === 'printf' || cmd.name === 'write-output') {
    const args = cmd.words.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.value)));
    if (args.length === 0 || !args.every(isConstantWord)) return null;
    return args;
  }
  for (const r of cmd.redirects) if (r.op === '<' && r.heredoc) return [r.target];
  return null;
}

/** `\xHH`, `\NNN` (octal), `\n`, `\t` as printf and `echo -e` interpret them. */
export function decodeBackslashEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|[ntr\\])/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    if (e === '\\') return '\\';
    return String.fromCharCode(parseInt(e, 8) & 0xff);
  });
}

/** A word whose value is fully known text (no unresolved variables or substitutions). */
export function isConstantWord(w: Word): boolean {
  if (w.nested && w.nested.length > 0) return false;
  const v = w.value;
  if (v.startsWith('$') || v.startsWith('(') || v.includes('$(')) return false;
  return true;
}
