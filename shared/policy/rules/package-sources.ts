/**
 * Code from servers nobody vetted, installed by the tools that normally install vetted code:
 *
 * - download-execute: a package source added or pointed at (pip `--index-url`/`--extra-index-url`, npm's registry,
 *   a Chocolatey source, a PowerShell repository, an apt source line) and installed from. Blocked when the source is
 *   plain HTTP, an internet IP address, or its checks are switched off (`[trusted=yes]`, `--trusted-host`,
 *   `--ignore-checksums`; apt sources are signed, so only one with its checks off or on an internet address counts).
 *   An HTTPS feed on a named host is allowed: a company's own feed cannot be told from a look-alike by its name. A
 *   WordPress plugin installed from a URL outside the public registries is blocked, and so is a container image from a
 *   registry at an internet IP address.
 * - remote access: the machine registered as a CI runner or pipeline agent of a server (GitLab, GitHub Actions, Azure
 *   Pipelines): whoever controls that server runs commands on it (block, as remote-access tools are).
 */
import type { Document, Word } from '../analysis/document';
import { pipelineNeighbours } from '../analysis/semantics';
import { isPrivateOrLocal, parseIp } from '../destinations/ip';
import {
  ChecksByName,
  DocumentCache,
  FindingCollector,
  argLowers,
  commandWord,
  optionValue,
  positionals,
  writeTargets,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

export const packageSourceRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  CHECKS.runOver(doc, out);
  return out.findings;
};

const REMEDY = 'Install from the public registry or the company feed, or save the script and have its hash permitted.';

function source(message: string): FindingSpec {
  return { code: 'download_execute', ruleId: 'dl.package-source', standard: 'block', extended: 'flag', message, remedy: REMEDY };
}

/** Public registries and hosted package services. */
const KNOWN_REGISTRIES = [
  'pypi.org',
  'pythonhosted.org',
  'npmjs.org',
  'npmjs.com',
  'yarnpkg.com',
  'chocolatey.org',
  'powershellgallery.com',
  'nuget.org',
  'debian.org',
  'ubuntu.com',
  'dev.azure.com',
  'visualstudio.com',
  'jfrog.io',
  'pkg.github.com',
  'gitlab.com',
  'cloudsmith.io',
  'packagecloud.io',
];

/** The host of a URL, lower case, without port. */
function hostOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[0-9a-f:.]+\]|[^/:\s?#]+)/.exec(url.replace(/^["'=]+/, ''));
  return m?.[1];
}

/** How a source is to be taken: `block` (plain HTTP, internet IP, checks off), `unknown` (a named internet host) or undefined. */
function untrusted(url: string, checksOff: boolean): 'block' | 'unknown' | undefined {
  const u = url.replace(/^["'=]+/, '');
  const host = hostOf(u);
  if (host === undefined) return undefined;
  const ip = parseIp(host.replace(/^\[|\]$/g, ''));
  if (ip !== null) return isPrivateOrLocal(ip) ? undefined : 'block';
  if (host === 'localhost' || !host.includes('.') || /\.(?:local|lan|corp|internal|intranet|home\.arpa)$/.test(host)) return undefined;
  if (KNOWN_REGISTRIES.some((r) => host === r || host.endsWith('.' + r))) return undefined;
  return u.startsWith('http://') || checksOff ? 'block' : 'unknown';
}

/** Package managers and their install verbs (the first word that is not an option), and the cmdlets that install from a repository. */
const INSTALL_VERBS: ReadonlyMap<string, readonly string[]> = new Map([
  ['npm', ['install', 'i', 'ci', 'add', 'update']],
  ['yarn', ['install', 'add']],
  ['pnpm', ['install', 'i', 'add']],
  ['choco', ['install', 'upgrade']],
  ['apt', ['install', 'upgrade']],
  ['apt-get', ['install', 'upgrade']],
  ['dnf', ['install', 'upgrade']],
  ['yum', ['install', 'update']],
  ['pip', ['install']],
  ['pip3', ['install']],
]);
const INSTALL_CMDLETS: ReadonlySet<string> = new Set([
  'install-module',
  'install-script',
  'install-package',
  'install-psresource',
  'update-module',
]);

/** Whether the text installs packages anywhere. */
const INSTALLS = new DocumentCache((doc: Document): boolean =>
  doc.commands.some((c) => {
    if (INSTALL_CMDLETS.has(c.name)) return true;
    const verbs = INSTALL_VERBS.get(c.name);
    if (verbs === undefined) return false;
    const verb = c.words.find((w, i) => i > 0 && !w.lower.startsWith('-'));
    return verb !== undefined && verbs.includes(verb.lower);
  }),
);

interface FoundSource {
  url: Word;
  checksOff: boolean;
  installs: boolean;
  /** apt verifies a repository's signature: only a source with its checks off or on an internet address counts. */
  signed?: boolean;
}

function sourceUrl(inv: Invocation, doc: Document): FoundSource | undefined {
  const n = inv.name;
  const lowers = argLowers(inv);
  const checksOff = lowers.some((l) => l.startsWith('--trusted-host') || l.startsWith('--ignore-checksum') || l.includes('trusted=yes'));
  if (n === 'pip' || n === 'pip3') {
    const url = optionValue(inv.args, 'index-url', 'extra-index-url', 'i');
    return url && lowers.includes('install') ? { url, checksOff, installs: true } : undefined;
  }
  if (n === 'npm' || n === 'yarn' || n === 'pnpm') {
    const set = lowers.indexOf('registry');
    const url = optionValue(inv.args, 'registry') ?? (set > 0 && lowers[set - 1] === 'set' ? inv.args[set + 1] : undefined);
    return url ? { url, checksOff, installs: INSTALLS.of(doc) } : undefined;
  }
  if (n === 'choco' || n === 'chocolatey') {
    const url = optionValue(inv.args, 's', 'source');
    return url ? { url, checksOff, installs: INSTALLS.of(doc) } : undefined;
  }
  if (
    n === 'register-psrepository' ||
    n === 'register-packagesource' ||
    n === 'register-psresourcerepository' ||
    n === 'set-psrepository'
  ) {
    const url = optionValue(inv.args, 'sourcelocation', 'location', 'uri', 'scriptsourcelocation');
    return url ? { url, checksOff, installs: INSTALLS.of(doc) } : undefined;
  }
  // `echo "deb [trusted=yes] http://… stable main" | sudo tee /etc/apt/sources.list.d/x.list`
  if (writeTargets(inv).some((t) => t.lower.includes('sources.list'))) {
    const words = [...inv.args, ...pipelineNeighbours(doc, inv.command, 'before', 2).flatMap((c) => c.words)];
    const url = words.find((w) => w.lower.includes('http://') || w.lower.includes('https://'));
    const line = words.map((w) => w.lower).join(' ');
    return url && line.includes('deb')
      ? { url: urlPart(url), checksOff: checksOff || line.includes('trusted=yes'), installs: INSTALLS.of(doc), signed: true }
      : undefined;
  }
  return undefined;
}

/** The URL inside a word that holds a whole line (`deb [trusted=yes] http://x/apt stable main`). */
function urlPart(w: Word): Word {
  const at = w.lower.search(/https?:\/\//);
  if (at <= 0) return w;
  const rest = w.value.slice(at);
  const end = rest.search(/\s/);
  const value = end < 0 ? rest : rest.slice(0, end);
  return { value, lower: value.toLowerCase(), span: w.span };
}

function checkPackageSource(inv: Invocation, out: FindingCollector, doc: Document): void {
  const found = sourceUrl(inv, doc);
  if (found === undefined || !found.installs || untrusted(found.url.lower, found.checksOff) !== 'block') return;
  if (found.signed === true && !found.checksOff && parseIp(hostOf(found.url.lower) ?? '') === null) return;
  out.add(
    source(
      `${inv.name} installs packages from ${found.url.value}, a source without transport security, at an internet address or with its checks off: its packages run install scripts and code on this machine.`,
    ),
    [commandWord(inv), found.url],
  );
}

/** `wp plugin install https://…/x.zip --activate`: PHP code from a URL, installed into the site. */
function checkWordPressPlugin(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  if (!(lowers[0] === 'plugin' || lowers[0] === 'theme') || lowers[1] !== 'install') return;
  const url = positionals(inv.args).find((w) => w.lower.startsWith('http://') || w.lower.startsWith('https://'));
  if (url === undefined || untrusted(url.lower, false) === undefined) return;
  out.add(source(`wp installs a ${lowers[0]} from ${url.value}: PHP code the site runs, from outside the WordPress directory.`), [
    commandWord(inv),
    url,
  ]);
}

/** An image reference whose registry is an IP address: `91.208.184.12:5000/sys/kworker:latest`, `--image=5.1.2.3/x`. */
function ipRegistry(lower: string): string | undefined {
  const m = /^(?:--image=|[a-z0-9_.-]+=)?(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?\/\S/.exec(lower.replace(/^["']/, ''));
  const ip = m === null ? null : parseIp(m[1] as string);
  return ip !== null && !isPrivateOrLocal(ip) ? m?.[1] : undefined;
}

/**
 * `docker run 91.208.184.12:5000/sys/kworker`, `kubectl set image ds/x x=5.1.2.3/x`: a container image from a registry at
 * an internet IP address, run on this machine or cluster (registries have names; an address is where droppers live).
 */
function checkContainerImage(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  const runs =
    inv.name === 'kubectl'
      ? lowers.includes('run') || lowers.includes('set') || lowers.includes('create')
      : lowers.some((l) => l === 'run' || l === 'create' || l === 'pull');
  if (!runs) return;
  const image = inv.args.find((w) => ipRegistry(w.lower) !== undefined);
  if (image === undefined) return;
  out.add(source(`${inv.name} runs a container image from a registry at an internet IP address (${ipRegistry(image.lower)}).`), [
    commandWord(inv),
    image,
  ]);
}

/**
 * `gitlab-runner register --url …`, `config.cmd --url https://github.com/org --token …` (GitHub Actions and Azure
 * Pipelines agents): the server the runner joins sends it jobs, i.e. commands to run on this machine.
 */
function checkCiRunner(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  const registers =
    (inv.name === 'gitlab-runner' && lowers[0] === 'register') ||
    ((inv.name === 'config' || inv.name === 'config.sh') &&
      optionValue(inv.args, 'url') !== undefined &&
      lowers.some((l) => l === '--token' || l === '--auth' || l.startsWith('--token=')));
  if (!registers) return;
  const url = optionValue(inv.args, 'url');
  out.add(
    {
      code: 'rmm_tool',
      ruleId: 'rmm.ci-runner',
      standard: 'block',
      extended: 'flag',
      message: `${inv.name} registers this machine as a CI runner or pipeline agent${url ? ` of ${url.value}` : ''}: whoever controls that server runs commands here.`,
      remedy: 'Build agents are set up by the customer on machines meant for them, not through a support session.',
    },
    [commandWord(inv), url],
  );
}

const CHECKS = new ChecksByName([
  { check: checkPackageSource },
  { check: checkWordPressPlugin, names: ['wp'] },
  { check: checkContainerImage, names: ['docker', 'podman', 'nerdctl', 'kubectl'] },
  { check: checkCiRunner, names: ['gitlab-runner', 'config', 'config.sh'] },
]);
