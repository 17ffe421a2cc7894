import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { makeRig, runDownloads } from '../support/harness';
import { closeServer, listenOnLoopback } from '../support/loopback';

/** Servers of an empty file, each answering the ranged probe `bytes=0-0` its own way; HEAD says 0 bytes. */
const ANSWERS: Record<string, (res: ServerResponse) => void> = {
  // RFC 9110's answer: no byte 0 to send, and the size is 0.
  '/416.bin': (res) => res.writeHead(416, { 'content-range': 'bytes */0', 'content-length': 0 }).end(),
  // A broken one: a range past the end of a file of 0 bytes.
  '/bad-206.bin': (res) => res.writeHead(206, { 'content-range': 'bytes 0-0/0', 'content-length': 1 }).end(),
};

describe('empty files', () => {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    const answer = ANSWERS[req.url!];
    if (!answer) return res.writeHead(404, { 'content-length': 0 }).end();
    if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': 0, 'accept-ranges': 'bytes' }).end();
    if (req.headers.range) return answer(res);
    res.writeHead(200, { 'content-length': 0 }).end();
  });
  const requests: string[] = [];
  let port = 0;
  before(async () => {
    port = await listenOnLoopback(server);
  });
  after(async () => {
    server.closeAllConnections();
    await closeServer(server, []);
  });

  for (const path of Object.keys(ANSWERS)) {
    it(`completes an empty file whose server answers the range probe with ${path.slice(1, -4)}, in a few requests`, async () => {
      requests.length = 0;
      const rig = await makeRig();
      try {
        const [rec] = await runDownloads(rig, [{ url: `http://127.0.0.1:${port}${path}` }]);
        assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
        assert.equal(rec!.size, 0);
        assert.equal((await readFile(join(rec!.folder, rec!.name!))).length, 0);
        assert.ok(requests.length <= 3, `requests: ${requests.join(', ')}`);
      } finally {
        await rig.cleanup();
      }
    });
  }
});
