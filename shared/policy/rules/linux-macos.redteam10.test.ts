/**
 * Red-team gaps of round 10 (Atomic-Red-Team-style tests for Linux and macOS, and cloud CLIs run from them):
 * udev and periodic(8) jobs, login items written with defaults, sudo rules fed to visudo, cloud administrator grants,
 * history settings, journal shrinking, Gatekeeper re-arming, cloud audit trails, keychain and SSSD caches, swap
 * searched for passwords, offensive scripts run by name, cloud objects piped to a shell; with the administrative
 * look-alikes that must stay allowed.
 */
import { credentialAccessRules } from './credential-access';
import { defenseEvasionRules } from './defense-evasion';
import { downloadExecuteRules } from './download-execute';
import { describeTechniques, type TechniqueTable } from './family-test-support';
import { offensiveToolRules } from './offensive-tools';
import { persistenceRules } from './persistence';

const persistence: TechniqueTable = {
  'udev rules and periodic jobs (T1546, T1053)': {
    flagged: [
      [
        `echo 'SUBSYSTEM=="net", ACTION=="add", RUN+="/bin/sh -c /var/tmp/.n"' > /lib/udev/rules.d/75-net-persist.rules`,
        'bash',
        'persist.file',
      ],
      [`echo "/Users/Shared/run.sh" | sudo tee -a /etc/daily.local`, 'zsh', 'persist.file', 'macos'],
    ],
    allowed: [
      ['cat /etc/periodic/daily/110.clean-tmps', 'zsh', 'macos'],
      ['ls /lib/udev/rules.d/', 'bash'],
    ],
  },
  'login items, sudo rules and cloud administrator grants (T1547.015, T1548.003, T1098.003)': {
    flagged: [
      [
        `sudo defaults write /Library/Preferences/com.apple.loginwindow AutoLaunchedApplicationDictionary -array-add '{Path="/Applications/Helper.app";Hide=1;}'`,
        'zsh',
        'persist.login-item',
        'macos',
      ],
      [`echo "$(whoami) ALL=(ALL) NOPASSWD: ALL" | sudo EDITOR='tee -a' visudo`, 'bash', 'persist.file'],
      ['gcloud projects add-iam-policy-binding prod-123 --member=user:ext.helper@gmail.com --role=roles/owner', 'bash', 'persist.cloud'],
      ['aws iam attach-user-policy --user-name helper --policy-arn arn:aws:iam::aws:policy/AdministratorAccess', 'bash', 'persist.cloud'],
      ['az role assignment create --assignee ext@x.com --role Owner --scope /subscriptions/0000', 'bash', 'persist.cloud'],
    ],
    allowed: [
      ['defaults read com.apple.loginwindow', 'zsh', 'macos'],
      ['sudo visudo -c', 'bash'],
      ['gcloud projects add-iam-policy-binding prod-123 --member=serviceAccount:x --role=roles/logging.logWriter', 'bash'],
      ['gcloud storage buckets add-iam-policy-binding gs://b --member=user:x@y.com --role=roles/storage.objectOwner', 'bash'],
      ['aws iam attach-role-policy --role-name app --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', 'bash'],
      ['az role assignment create --assignee app-id --role "Storage Blob Data Reader" --scope /x', 'bash'],
    ],
  },
};

const evasion: TechniqueTable = {
  'history, journal, Gatekeeper and cloud audit trails (T1562.003, T1070.002, T1553.001, T1562.008)': {
    flagged: [
      ["export HISTIGNORE='*'", 'bash', 'evasion.history.tamper'],
      ['export HISTCONTROL=ignoreboth\nwhoami', 'bash', 'evasion.history.tamper'],
      ['sudo journalctl --vacuum-size=1K', 'bash', 'evasion.eventlog.clear'],
      [
        'sudo defaults write /Library/Preferences/com.apple.security GKAutoRearm -bool false',
        'zsh',
        'evasion.security-control.disable',
        'macos',
      ],
      ['aws cloudtrail stop-logging --name management-events', 'bash', 'evasion.cloud-logging'],
      ['az monitor diagnostic-settings delete --name audit --resource /x', 'bash', 'evasion.cloud-logging'],
      ['gcloud logging sinks delete org-audit-sink --quiet', 'bash', 'evasion.cloud-logging'],
    ],
    allowed: [
      ['export HISTSIZE=10000', 'bash'],
      ["export HISTIGNORE='ls:cd'", 'bash'],
      ['sudo journalctl --vacuum-size=500M', 'bash'],
      ['aws cloudtrail describe-trails', 'bash'],
      ['az monitor diagnostic-settings list --resource /x', 'bash'],
      ['nohup /opt/app/bin/worker --config /etc/app/worker.yml > /var/log/app/worker.out 2>&1 &', 'bash'],
    ],
  },
};

const credentials: TechniqueTable = {
  'keychains, SSSD caches and swap (T1555.001, T1003.007, T1552)': {
    blocked: [
      ['cp ~/Library/Keychains/login.keychain-db /tmp/k.db', 'zsh', 'cred.secret-file', 'macos'],
      ['sudo cat /var/lib/sss/db/cache_corp.local.ldb | strings | grep -i cachedPassword', 'bash', 'cred.secret-file'],
      ['sudo strings /swapfile | grep -E "PASSWORD|passwd" | head', 'bash', 'cred.memory-search'],
      ['cat /home/*/.bash_history | grep -i "mysql -p"', 'bash', 'cred.history-search'],
      ['grep sshpass ~/.zsh_history', 'zsh', 'cred.history-search', 'macos'],
    ],
    allowed: [
      ['ls ~/Library/Keychains/', 'zsh', 'macos'],
      ['sudo sss_cache -E', 'bash'],
      ['swapon --show', 'bash'],
      ['grep -i "mysql -p" deploy.sh', 'bash'],
      ['history | grep "git push"', 'bash'],
    ],
  },
};

const offensive: TechniqueTable = {
  'offensive scripts run by their own name': {
    blocked: [['./mimipenguin.sh', 'bash', 'offensive.script']],
    allowed: [['./deploy.sh --env prod', 'bash']],
  },
};

const downloads: TechniqueTable = {
  'cloud storage objects piped into a shell (T1105)': {
    blocked: [
      ['aws s3 cp s3://ops-bucket-x/bootstrap.sh - | bash', 'bash', 'dl.pipe-to-interpreter'],
      ['gsutil cat gs://ops-x/run.sh | sh', 'bash', 'dl.pipe-to-interpreter'],
    ],
    allowed: [
      ['aws s3 cp s3://ops/x.json - | jq .', 'bash'],
      ['gsutil cat gs://logs/app.log | grep ERROR', 'bash'],
      ['aws s3 cp s3://b/k /tmp/k', 'bash'],
    ],
  },
};

describeTechniques('persistence, red-team round 10', persistenceRules, persistence);
describeTechniques('defence evasion, red-team round 10', defenseEvasionRules, evasion);
describeTechniques('credential access, red-team round 10', credentialAccessRules, credentials);
describeTechniques('offensive tools, red-team round 10', offensiveToolRules, offensive);
describeTechniques('download and execute, red-team round 10', downloadExecuteRules, downloads);
