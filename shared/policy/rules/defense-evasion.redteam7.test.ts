/**
 * Red-team gaps in defence evasion (round 7): snapshot and backup destruction on Linux, ESXi and NAS
 * systems, and programs or processes disguised as Linux kernel threads and daemons. Each technique with
 * several spellings and the administrative look-alikes that must stay allowed.
 */
import { defenseEvasionRules } from './defense-evasion';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const BACKUPS = 'evasion.backups.delete';
const MASQUERADE = 'evasion.masquerade';

const techniques: TechniqueTable = {
  'ZFS snapshot destruction': {
    blocked: [
      ['zfs destroy tank/data@daily-2026-11-01', 'bash', BACKUPS],
      ['sudo zfs destroy -r tank@autosnap_2026-11-20_daily', 'bash', BACKUPS],
      ["zfs destroy -rR 'rpool/ROOT@%'", 'sh', BACKUPS],
      ['zfs list -t snapshot -H -o name | xargs -n1 zfs destroy', 'bash', BACKUPS],
      ['for s in $(zfs list -H -t snapshot -o name); do zfs destroy "$s"; done', 'bash', BACKUPS],
      ['zfs destroy -r tank/backups', 'bash', BACKUPS],
    ],
    allowed: [
      ['zfs list -t snapshot', 'bash'],
      ['zfs snapshot tank/data@pre-upgrade', 'bash'],
      ['zfs destroy tank/scratch', 'bash'],
      ['zfs rollback tank/data@pre-upgrade', 'bash'],
    ],
  },
  'LVM and btrfs snapshot removal': {
    blocked: [
      ['lvremove -f vg0/snap_daily', 'bash', BACKUPS],
      ['lvremove -y /dev/vg_data/home_snapshot', 'bash', BACKUPS],
      ["lvremove -f -S 'lv_attr=~^s'", 'bash', BACKUPS],
      ['btrfs subvolume delete /.snapshots/*/snapshot', 'bash', BACKUPS],
      ['btrfs sub del /mnt/pool/.snapshots/42/snapshot', 'bash', BACKUPS],
      ['btrfs subvolume delete -c /mnt/@snapshots/root-2026', 'bash', BACKUPS],
    ],
    allowed: [
      ['lvremove -y vg0/lv_old_data', 'bash'],
      ['lvcreate -s -n snap_daily -L 5G vg0/root', 'bash'],
      ['btrfs subvolume delete /mnt/data/@tmp', 'bash'],
      ['btrfs subvolume snapshot / /.snapshots/pre-upgrade', 'bash'],
      ['btrfs subvolume list /', 'bash'],
    ],
  },
  'snapper and timeshift deletion': {
    blocked: [
      ['snapper -c root delete 1-500', 'bash', BACKUPS],
      ['snapper delete --sync 12 13 14', 'bash', BACKUPS],
      ['snapper rm 3', 'bash', BACKUPS],
      ['timeshift --delete-all --yes', 'bash', BACKUPS],
      ["sudo timeshift --delete --snapshot '2026-11-01_00-00-01'", 'bash', BACKUPS],
    ],
    allowed: [
      ['snapper list', 'bash'],
      ["snapper -c root create --description 'before kernel update'", 'bash'],
      ['snapper cleanup number', 'bash'],
      ['timeshift --list', 'bash'],
      ["timeshift --create --comments 'pre-upgrade'", 'bash'],
    ],
  },
  'backup folders emptied': {
    blocked: [
      ['find /backup -type f -delete', 'bash', BACKUPS],
      ['find /mnt/nas/backups -type f -exec rm -f {} \\;', 'bash', BACKUPS],
      ["find /var/backups -name '*.bak' -delete", 'bash', BACKUPS],
      ['rm -rf /var/backups/*', 'bash', BACKUPS],
      ['rm -rf /backup/ /srv/backups', 'sh', BACKUPS],
      ['rm -f /mnt/nas/backups/*', 'bash', BACKUPS],
    ],
    allowed: [
      ["find /var/backups -name '*.tar.gz' -mtime +30 -delete", 'bash'],
      ['find /backup -type f -mtime +14 -exec rm {} +', 'bash'],
      ['find /backup -type f -name "*.tar.gz"', 'bash'],
      ['rm -f /var/backups/dpkg.status.0', 'bash'],
      ['rm -rf /tmp/build-cache/*', 'bash'],
      ['mkdir -p /srv/backups', 'bash'],
    ],
  },
  'hypervisor and backup-server snapshots': {
    blocked: [
      ['vim-cmd vmsvc/snapshot.removeall 12', 'sh', BACKUPS],
      ["for id in $(vim-cmd vmsvc/getallvms | awk 'NR>1{print $1}'); do vim-cmd vmsvc/snapshot.removeall $id; done", 'sh', BACKUPS],
      ['proxmox-backup-client forget host/pve1/2026-11-01T00:00:00Z', 'bash', BACKUPS],
      ['proxmox-backup-client snapshot forget host/pve1/2026-11-01T00:00:00Z', 'bash', BACKUPS],
      ['restic -r /srv/restic-repo forget --keep-last 0 --prune', 'bash', BACKUPS],
      ['borg delete /mnt/backup/borg-repo', 'bash', BACKUPS],
      ["borg delete --glob-archives '*' /mnt/backup/borg-repo", 'bash', BACKUPS],
    ],
    allowed: [
      ['vim-cmd vmsvc/snapshot.get 12', 'sh'],
      ['vim-cmd vmsvc/snapshot.create 12 pre-patch', 'sh'],
      ['restic -r /srv/restic-repo forget --keep-daily 7 --keep-weekly 4 --prune', 'bash'],
      ['restic snapshots', 'bash'],
      ['proxmox-backup-client prune host/pve1 --keep-daily 7 --keep-weekly 4', 'bash'],
      ['borg prune --keep-daily 7 --keep-weekly 4 /mnt/backup/borg-repo', 'bash'],
      ['borg delete /mnt/backup/borg-repo::2026-11-01', 'bash'],
    ],
  },
  'kernel thread and daemon masquerading': {
    blocked: [
      ['cp /tmp/.b /usr/sbin/kworkerd', 'bash', MASQUERADE],
      ['mv /dev/shm/x /dev/shm/kthreadd', 'bash', MASQUERADE],
      ['install -m 755 ./payload /usr/bin/ksoftirqd', 'bash', MASQUERADE],
      ['cp ./agent /tmp/kswapd0', 'bash', MASQUERADE],
      ["cp /var/tmp/m '/tmp/[kworker]'", 'bash', MASQUERADE],
      ["cp /var/tmp/m '/tmp/[watchdogd]'", 'bash', MASQUERADE],
      ['mv ./miner /usr/local/bin/rcu_sched', 'bash', MASQUERADE],
      ['ln -s /var/tmp/agent /usr/bin/kworker', 'bash', MASQUERADE],
      ['cp /tmp/.x /dev/shm/systemd-journald', 'bash', MASQUERADE],
      ['cp /tmp/.x /usr/sbin/sshd', 'bash', MASQUERADE],
      ['nohup /usr/sbin/kworkerd -d >/dev/null 2>&1 &', 'bash', MASQUERADE],
      ["exec -a '[kworker/0:1]' /tmp/b", 'bash', MASQUERADE],
      ['(exec -a kworker/u8:2 /opt/payload &)', 'bash', MASQUERADE],
      ['bash -c "exec -a \'[kthreadd]\' /var/tmp/agent"', 'bash', MASQUERADE],
      ['perl -e \'$0="[kworker/1:0]"; exec "/opt/x"\'', 'bash', MASQUERADE],
      ['python3 -c "import prctl; prctl.set_name(\'kworker/0:2\')"', 'bash', MASQUERADE],
    ],
    allowed: [
      ['ps -eo pid,comm | grep kworker', 'bash'],
      ['cat /proc/$(pgrep -o kthreadd)/status', 'bash'],
      ['cp ./build/sshd /usr/sbin/sshd', 'bash'],
      ['cp -r ./migration /srv/app/migration', 'bash'],
      ['exec -a myapp /opt/myapp/bin/myapp-server', 'bash'],
      ['cp /etc/systemd/journald.conf /etc/systemd/journald.conf.bak', 'bash'],
      ['mv /usr/sbin/nginx.new /usr/sbin/nginx', 'bash'],
      ['ln -s /lib/systemd/systemd /sbin/init', 'bash'],
      ['install -m 644 sshd_config /etc/ssh/sshd_config', 'bash'],
      ['cp /usr/share/doc/watchdog/examples/watchdog.conf /etc/watchdog.conf', 'bash'],
    ],
  },
};

describeTechniques('defence evasion red-team round 7', defenseEvasionRules, techniques);
