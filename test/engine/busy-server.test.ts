// A server that refuses connections for a while, or whose connections another download holds: a refused
// connection waits (without the segment, which the connections still answered take on), never asks again at
// once, and a download that has all its bytes finishes without waiting for a slot it no longer needs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { DEFAULT_TIMING } from '../../electron/engine/index';
import type { AddResult } from '../../shared/types';
import { assertCompletedWith, makeRig, runDownloads, waitFor } from '../support/harness';
import { listenOnLoopback } from '../support/loopback';

const MIB = 1024 * 1024;
const RETRIES = { retry: { ...DEFAULT_TIMING.retry, maxAttempts: 30 } };

/** Serves `data` for the range asked, at `rate` bytes a second in 20 slices; `onEnd` when it is all sent. */
function serveRange(req: IncomingMessage, res: ServerResponse, data: Buffer, rate: number, onEnd: () => void): void {
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const first = m ? Number(m[1]) : 0;
  const last = m?.[2] ? Number(m[2]) : data.length - 1;
  res.writeHead(206, { 'accept-ranges': 'bytes', etag: '"busy"', 'content-length': last - first + 1, 'content-range': `bytes ${first}-${last}/${data.length}` });
  let at = first;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    onEnd();
  };
  const timer = setInterval(() => {
    const n = Math.min(last + 1 - at, Math.ceil(rate / 20));
    if (n <= 0) {
      end();
      res.end();
      return;
    }
    res.write(data.subarray(at, at + n));
    at += n;
  }, 50);
  res.on('close', end);
}

function idOf([added]: AddResult[]): number {
  return added?.ok ? added.id : assert.fail(added?.error.message ?? 'nothing added');
}

function head(res: ServerResponse, data: Buffer): void {
  res.writeHead(200, { 'accept-ranges': 'bytes', etag: '"busy"', 'content-length': data.length }).end();
}

describe('a server that refuses connections for a while', () => {
  const servers: Server[] = [];
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('waits out a burst of 503s that comes while every connection receives, instead of asking again at once', async () => {
    const data = randomBytes(64 * MIB);
    let refused = 0;
    let refuseUntil = 0;
    const server = createServer((req, res) => {
      if (req.method === 'HEAD') return head(res, data);
      const first = Number(/^bytes=(\d+)/.exec(req.headers.range ?? '')?.[1] ?? 0);
      // The first segment's connection comes back for more (steals) and meets three seconds of 503s.
      if (first % (8 * MIB) !== 0) {
        if (refuseUntil === 0) refuseUntil = Date.now() + 3000;
        if (Date.now() < refuseUntil) {
          refused++;
          res.writeHead(503, { 'content-length': 0 }).end();
          return;
        }
      }
      serveRange(req, res, data, first === 0 ? 64 * MIB : 2 * MIB, () => undefined);
    });
    servers.push(server);
    const port = await listenOnLoopback(server);
    const rig = await makeRig({ timing: RETRIES, overrides: { segments: 8 } });
    try {
      const [rec] = await runDownloads(rig, [{ url: `http://127.0.0.1:${port}/burst.bin` }]);
      await assertCompletedWith(rec!, data);
      console.log(`# 3 s of 503s while 8 connections receive: ${refused} requests refused`);
      assert.ok(refused < 50, `${refused} requests refused in 3 s: asked again without waiting`);
    } finally {
      await rig.cleanup();
    }
  });

  it('finishes a download that has all its bytes while another download holds the connections the server allows', async () => {
    const files: Record<string, Buffer> = { '/big.bin': randomBytes(48 * MIB), '/small.bin': randomBytes(4 * MIB) };
    const holders: string[] = [];
    const server = createServer((req, res) => {
      const data = files[req.url!]!;
      if (req.method === 'HEAD') return head(res, data);
      if (holders.length >= 2) {
        res.writeHead(503, { 'content-length': 0 }).end();
        return;
      }
      holders.push(req.url!);
      serveRange(req, res, data, MIB, () => holders.splice(holders.indexOf(req.url!), 1));
    });
    servers.push(server);
    const port = await listenOnLoopback(server);
    const rig = await makeRig({ timing: RETRIES, overrides: { segments: 8 } });
    try {
      // The small one's connections take the server's two before the big one comes; the big one's then wait in
      // line with the small one's own.
      const small = idOf(await rig.engine.add([{ url: `http://127.0.0.1:${port}/small.bin` }]));
      rig.engine.start();
      await waitFor(() => holders.length === 2, 10_000, "the small download's two connections");
      const big = idOf(await rig.engine.add([{ url: `http://127.0.0.1:${port}/big.bin` }]));
      await rig.engine.whenSettled([small]);
      await assertCompletedWith(rig.repo.get(small)!, files['/small.bin']!);
      assert.equal(rig.repo.get(big)!.status, 'active', 'the small download completed before the big one freed its connections');
      await rig.engine.whenSettled([big]);
      await assertCompletedWith(rig.repo.get(big)!, files['/big.bin']!);
    } finally {
      await rig.cleanup();
    }
  });
});
