import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BRAID, run } from '../support/cli';
import { tempDir } from '../support/harness';

// Real lookups fail inside a network namespace of our own: only its loopback exists, and its resolv.conf
// names a server on that loopback, so no query can leave the machine.
const NS = `braid-dns-${process.pid}`;
const NS_ETC = `/etc/netns/${NS}`;
const canNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;

function inNamespace(command: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', NS, ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('DNS failure', { skip: canNetns ? false : 'network namespaces need root and iproute2' }, () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
    assert.equal(spawnSync('ip', ['netns', 'add', NS]).status, 0, 'ip netns add');
    assert.equal(spawnSync('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']).status, 0, 'loopback up');
    mkdirSync(NS_ETC, { recursive: true });
    writeFileSync(join(NS_ETC, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  });
  after(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(NS_ETC, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (name: string) =>
    run('ip', ['netns', 'exec', NS, process.execPath, BRAID, 'get', `http://${name}/file.bin`, '--dir', dir, '--db', join(dir, `${name}.db`), '--retries', '2']);

  it('fails a host DNS has never heard of with "host not found", and does not hang', async () => {
    const dns = inNamespace([process.execPath, join(import.meta.dirname, '../support/nxdomain-dns.mjs')]);
    try {
      await new Promise<void>((resolve, reject) => {
        dns.stdout!.once('data', () => resolve());
        dns.once('exit', (code) => reject(new Error(`DNS server exited ${code}`)));
      });
      const started = Date.now();
      const run = await get('nowhere.invalid');
      console.log(`# unknown host: exit ${run.code} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${run.stderr.trim()}`);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /host not found \(nowhere\.invalid\): DNS has no such name/);
    } finally {
      dns.kill();
    }
  });

  it('fails clearly when no DNS server answers', async () => {
    const started = Date.now();
    const run = await get('unanswered.invalid');
    console.log(`# no DNS server: exit ${run.code} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${run.stderr.trim()}`);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /could not look up the host name \(unanswered\.invalid\): no answer from DNS/);
  });
});
