/**
 * Databases reached from an admin shell (`sqlcmd`, `Invoke-Sqlcmd`, `psql`, `mysql`, `mongosh`, `redis-cli` …): the
 * query text is the payload, so it is read like a command line.
 *
 * - proxy execution (block): operating-system commands run by the database server (`xp_cmdshell`, OLE automation,
 *   `COPY … FROM PROGRAM`, native-code functions and CLR assemblies, Redis modules);
 * - persistence: a web shell written by the database (`INTO OUTFILE` a script, Redis `CONFIG SET dir` + `dbfilename`;
 *   block); SQL Agent jobs, registry writes through `xp_regwrite`, logins and superuser roles (flag);
 * - credential access (block): password hashes read from the server's own tables (`sys.sql_logins`, `pg_shadow`,
 *   `mysql.user`) or an application's user table, `LOAD_FILE` of a system secret, and `xp_dirtree` of a share on
 *   the internet (the service account authenticates to it);
 * - defense evasion (flag): server audits and query logs switched off;
 * - data exposure (block): a database backed up to a share on an internet address or archived through a URL.
 *
 * Ordinary queries, logins for applications, backups to local disks and company shares, index maintenance, reading
 * surface-area settings and `SELECT @@VERSION` are allowed.
 */
import type { Document } from '../analysis/document';
import { isPrivateOrLocal, parseIp } from '../destinations/ip';
import {
  ChecksByName,
  DocumentCache,
  FindingCollector,
  fullText,
  commandWord,
  optionValue,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

export const databaseRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  CHECKS.runOver(doc, out);
  return out.findings;
};

/** Database clients whose arguments (or fed here-documents) are query text. */
const SQL_CLIENTS = [
  'sqlcmd',
  'osql',
  'isql',
  'invoke-sqlcmd',
  'invoke-dbaquery',
  'psql',
  'mysql',
  'mariadb',
  'mongosh',
  'mongo',
  'redis-cli',
  'memurai-cli',
  'sqlite3',
];
/** The query text an invocation sends (arguments, hashtable entries, here-documents), lower case, single-spaced. */
function queryText(inv: Invocation, doc: Document): string {
  return fullText(inv, doc).replace(/\s+/g, ' ');
}

function finding(code: FindingSpec['code'], ruleId: string, severity: 'block' | 'flag', message: string, remedy?: string): FindingSpec {
  const spec: FindingSpec = {
    code,
    ruleId,
    standard: severity,
    // Stolen credentials and web shells outlive any trust; the other blocks relax to a flag under extended trust.
    extended: severity === 'block' && code !== 'credential_access' && code !== 'persistence' ? 'flag' : severity,
    message: severity === 'flag' ? `${message} Recorded for review.` : message,
  };
  if (remedy !== undefined) spec.remedy = remedy;
  return spec;
}

const TRUST_REMEDY = 'A supervisor can grant extended trust, or save the script and have its hash permitted.';

/** Markers of operating-system code run by the database server. */
const OS_EXECUTION: readonly { marker: string; also?: string; what: string }[] = [
  // Named in a query that runs or configures it; a SELECT of sys.configurations only reads its state.
  { marker: 'xp_cmdshell', also: 'exec', what: 'xp_cmdshell runs operating-system commands as the SQL Server service account' },
  { marker: 'xpcmdshellenabled', what: 'xp_cmdshell is switched on (operating-system commands from SQL)' },
  { marker: 'sp_oacreate', also: 'exec', what: 'OLE automation procedures create COM objects that run programs' },
  { marker: 'from program', what: 'COPY … FROM PROGRAM runs a shell command as the postgres account' },
  { marker: 'to program', what: 'COPY … TO PROGRAM runs a shell command as the postgres account' },
  { marker: 'language c', also: 'function', what: 'a C-language function loads native code into the database server' },
  { marker: ' soname ', also: 'function', what: 'a user-defined function loads native code into MySQL' },
  { marker: 'sys_exec', what: 'the sys_exec user-defined function runs operating-system commands' },
  { marker: 'sys_eval', what: 'the sys_eval user-defined function runs operating-system commands' },
  { marker: 'create assembly', what: 'a CLR assembly loads .NET code into SQL Server' },
  { marker: 'module load', what: 'Redis loads a native module (arbitrary code in the server)' },
];

/** What runs downloaded text in a job step: PowerShell's evaluators and a pipe into a shell. */
const DOWNLOAD_RUNNERS = ['iex', 'invoke-expression', 'downloadstring', '| sh', '| bash', '|sh', '|bash'];

/** File extensions a web server runs as code. */
const WEB_SCRIPT = /\.(?:php\d?|phtml|aspx?|ashx|asmx|jspx?|cfm)\b/;

/** Where a query writes a file: `INTO OUTFILE|DUMPFILE '…'`. */
function outfileTarget(sql: string): string | undefined {
  const at = Math.max(sql.indexOf('into outfile'), sql.indexOf('into dumpfile'));
  if (at < 0) return undefined;
  return sql.slice(at + 13, at + 13 + 512);
}

/** The host of a `\\host\share` path in a query (`TO DISK = N'\\45.134.26.81\drop\x.bak'`), when it is an internet address. */
function internetShareIn(sql: string): string | undefined {
  for (let at = sql.indexOf('\\\\'); at >= 0; at = sql.indexOf('\\\\', at + 2)) {
    let end = at + 2;
    while (end < sql.length && end < at + 64 && !'\\/\'" '.includes(sql[end] as string)) end++;
    const host = sql.slice(at + 2, end);
    const ip = parseIp(host);
    if (ip !== null && !isPrivateOrLocal(ip)) return host;
  }
  return undefined;
}

const PASSWORD_TABLES: readonly { table: string; column?: string }[] = [
  { table: 'sql_logins', column: 'password_hash' },
  { table: 'syslogins', column: 'password' },
  { table: 'pg_shadow' },
  { table: 'pg_authid', column: 'rolpassword' },
  { table: 'mysql.user', column: 'authentication_string' },
  { table: 'mysql.user', column: 'password' },
];
/** Application user tables: a password-hash column selected. */
const HASH_COLUMNS = ['passwordhash', 'password_hash', 'pwdhash', 'user_pass'];

/** Whether the text sets both Redis's dump folder and file name (`CONFIG SET dir …`, `CONFIG SET dbfilename …`), in any commands. */
const REDIS_FILE_SETTINGS = new DocumentCache((doc: Document): boolean => {
  let dir = false;
  let file = false;
  for (const c of doc.commands) {
    if (c.name !== 'redis-cli' && c.name !== 'memurai-cli') continue;
    for (let i = 2; i < c.words.length; i++) {
      if (c.words[i - 1]!.lower !== 'set' || c.words[i - 2]?.lower !== 'config') continue;
      if (c.words[i]!.lower === 'dir') dir = true;
      else if (c.words[i]!.lower === 'dbfilename') file = true;
    }
  }
  return dir && file;
});

function checkQuery(inv: Invocation, out: FindingCollector, doc: Document): void {
  const sql = queryText(inv, doc);
  const word = commandWord(inv);
  const spans = [word];

  for (const e of OS_EXECUTION) {
    if (!sql.includes(e.marker) || (e.also !== undefined && !sql.includes(e.also))) continue;
    out.add(finding('proxy_execution', 'proxy.database', 'block', `${inv.name}: ${e.what}.`, TRUST_REMEDY), spans);
    break;
  }

  // Files written by the server: a script into a web folder is a web shell; Redis writes its dump wherever it is told.
  const outfile = outfileTarget(sql);
  if (
    outfile !== undefined &&
    (WEB_SCRIPT.test(outfile) || sql.includes('<?') || sql.includes('<%') || sql.includes('0x3c3f') || sql.includes('0x3c25'))
  )
    out.add(
      finding('persistence', 'persist.webshell', 'block', `${inv.name} has the database write a script a web server runs (a web shell).`),
      spans,
    );
  if ((sql.includes('config set dir') || sql.includes('config set dbfilename')) && REDIS_FILE_SETTINGS.of(doc))
    out.add(
      finding(
        'persistence',
        'persist.webshell',
        'block',
        `${inv.name} points Redis's dump file at another folder and name: it writes a file there (web shell, cron job, SSH key).`,
      ),
      spans,
    );

  // Jobs, registry and accounts.
  if (sql.includes('sp_add_job')) {
    if (sql.includes('http') && DOWNLOAD_RUNNERS.some((r) => sql.includes(r)))
      out.add(
        finding(
          'download_execute',
          'dl.db-job',
          'block',
          `${inv.name} creates a SQL Server Agent job whose step downloads code and runs it.`,
          TRUST_REMEDY,
        ),
        spans,
      );
    else
      out.add(
        finding(
          'persistence',
          'persist.db-job',
          'flag',
          `${inv.name} creates a SQL Server Agent job (runs on its schedule, as the agent's account).`,
        ),
        spans,
      );
  }
  if (sql.includes('xp_regwrite'))
    out.add(finding('persistence', 'persist.db-registry', 'flag', `${inv.name} writes the Windows registry through xp_regwrite.`), spans);
  const account = privilegedAccount(sql);
  if (account !== undefined) out.add(finding('persistence', 'persist.db-account', 'flag', `${inv.name} ${account}.`), spans);

  // Credentials.
  const table = PASSWORD_TABLES.find((t) => sql.includes(t.table) && (t.column === undefined || sql.includes(t.column)));
  const hashColumn = sql.includes('select') ? HASH_COLUMNS.find((c) => sql.includes(c)) : undefined;
  if (table !== undefined || hashColumn !== undefined)
    out.add(
      finding(
        'credential_access',
        'cred.db-password-hashes',
        'block',
        `${inv.name} reads password hashes (${table?.table ?? hashColumn}): they can be cracked or passed offline.`,
        'Reset the password instead; hashes are not read in remote sessions.',
      ),
      spans,
    );
  if (sql.includes('load_file(') && /load_file\(\s*'(?:\/etc\/shadow|\/etc\/passwd|\/root\/|c:\/windows\/|c:\\\\windows\\\\)/.test(sql))
    out.add(
      finding('credential_access', 'cred.db-file-read', 'block', `${inv.name} has the database read a system file with LOAD_FILE.`),
      spans,
    );
  if (/xp_(?:dirtree|fileexist|subdirs)/.test(sql) && internetShareIn(sql) !== undefined)
    out.add(
      finding(
        'credential_access',
        'cred.forced-authentication',
        'block',
        `${inv.name} makes SQL Server open a share on an internet address (${internetShareIn(sql)}): its service account sends its NTLM hash there.`,
      ),
      spans,
    );

  // Auditing.
  if (
    (sql.includes('server audit') && (sql.includes('state = off') || sql.includes('state=off'))) ||
    sql.includes('drop server audit') ||
    /general_log\s*=\s*(?:'off'|off|0)\b/.test(sql) ||
    /log_statement\s*=\s*'none'/.test(sql)
  )
    out.add(finding('defense_evasion', 'evasion.db-audit', 'flag', `${inv.name} switches off the database's audit or query log.`), spans);

  // Data sent away.
  if (sql.includes('backup ') && sql.includes(' to disk') && internetShareIn(sql) !== undefined)
    out.add(
      finding(
        'data_exposure',
        'exposure.db-backup',
        'block',
        `${inv.name} backs a database up to a share on an internet address (${internetShareIn(sql)}).`,
        TRUST_REMEDY,
      ),
      spans,
    );
  if (sql.includes('archive_command') && (sql.includes('curl') || sql.includes('http') || sql.includes('scp ') || sql.includes('nc ')))
    out.add(
      finding(
        'data_exposure',
        'exposure.db-backup',
        'block',
        `${inv.name} sets PostgreSQL's archive_command to send every WAL file elsewhere.`,
        TRUST_REMEDY,
      ),
      spans,
    );
}

/** A login, superuser role or server-admin membership granted by the query, described; undefined when none is. */
function privilegedAccount(sql: string): string | undefined {
  if (sql.includes('sysadmin') && (sql.includes('add member') || sql.includes('sp_addsrvrolemember')))
    return 'adds a member to the sysadmin server role';
  if (sql.includes('superuser') && !sql.includes('nosuperuser') && /\b(?:create|alter) (?:role|user)\b/.test(sql))
    return 'makes a PostgreSQL role a superuser';
  if (/alter login \[?sa\]?/.test(sql) && (sql.includes('enable') || sql.includes('password'))) return "enables or resets the 'sa' login";
  if (sql.includes('grant all privileges on *.*')) return 'grants every privilege on every database';
  if (sql.includes('createuser(') && /\broot\b|useradminanydatabase|dbadminanydatabase|clusteradmin/.test(sql))
    return 'creates a MongoDB user with an administrator role';
  return undefined;
}

/** `Set-DbaSpConfigure -Name XPCmdShellEnabled -Value 1` (dbatools). */
function checkDbaConfigure(inv: Invocation, out: FindingCollector): void {
  const name = optionValue(inv.args, 'name', 'configname')?.lower;
  if (name === undefined || !(name.includes('xpcmdshell') || name.includes('clrenabled') || name.includes('oleautomation'))) return;
  out.add(
    finding(
      'proxy_execution',
      'proxy.database',
      'block',
      `${inv.name} switches on ${name}: operating-system or native code from SQL.`,
      TRUST_REMEDY,
    ),
    [commandWord(inv)],
  );
}

const CHECKS = new ChecksByName([
  { check: checkQuery, names: SQL_CLIENTS },
  { check: checkDbaConfigure, names: ['set-dbaspconfigure'] },
]);
