/**
 * Red-team gaps in credential access (round 9, Atomic Red Team style): secret files found and read with find,
 * the Kubernetes service-account token, Windows answer files, saved sessions of remote-access clients in the
 * registry, Wi-Fi keys in a loop, shadow files read by interpreter code. A test's clean-up that deletes an
 * lsass dump is not a dump.
 */
import { credentialAccessRules } from './credential-access';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const SECRET_FILE = 'cred.secret-file';

const techniques: TechniqueTable = {
  'unsecured credentials in files (T1552.001, T1552.007)': {
    blocked: [
      ['find / -path "*/.aws/credentials" -type f 2>/dev/null -exec cat {} \\;', 'bash', SECRET_FILE],
      ['cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'bash', SECRET_FILE],
      ['type C:\\Windows\\Panther\\Unattend.xml | findstr /i "<Password>"', 'cmd', SECRET_FILE],
    ],
    allowed: [
      ['find / -name "*.log" -exec cat {} \\;', 'bash'],
      ['ls -la /var/run/secrets/kubernetes.io/serviceaccount/', 'bash'],
      ['dir C:\\Windows\\Panther', 'cmd'],
    ],
  },
  'credentials in the registry (T1552.002)': {
    blocked: [
      [
        'reg query "HKCU\\Software\\SimonTatham\\PuTTY\\Sessions" /s | findstr /i "ProxyPassword ProxyUsername"',
        'cmd',
        'cred.registry-search',
      ],
      ['reg query "HKCU\\Software\\ORL\\WinVNC3\\Password"', 'cmd', 'cred.registry-search'],
    ],
    allowed: [['reg query HKCU\\Software\\SimonTatham\\PuTTY', 'cmd']],
  },
  'Wi-Fi keys in clear text, in a loop (T1555)': {
    blocked: [
      [
        `for /f "tokens=2 delims=:" %a in ('netsh wlan show profiles ^| findstr "All User Profile"') do @netsh wlan show profile name=%a key=clear`,
        'cmd',
        'cred.wifi-keys',
      ],
    ],
    allowed: [[`for /f "tokens=2 delims=:" %a in ('netsh wlan show profiles ^| findstr "All User Profile"') do @echo %a`, 'cmd']],
  },
  'shadow files read by interpreter code (T1003.008)': {
    blocked: [['python3 -c "import crypt,spwd;print(open(\\"/etc/shadow\\").read())" > /tmp/.s', 'bash', 'cred.shadow-file']],
    allowed: [
      ['python3 -c \'print(open("/etc/hostname").read())\'', 'bash'],
      ["perl -ne 'print if /root/' /etc/passwd", 'bash'],
    ],
  },
  'clean-up of a dump file': {
    allowed: [
      ['Remove-Item $env:TEMP\\lsass-comsvcs.dmp -ErrorAction Ignore', 'powershell'],
      ['del %TEMP%\\lsass.dmp >nul 2>&1', 'cmd'],
    ],
  },
};

describeTechniques('credential access, red-team round 9', credentialAccessRules, techniques);
