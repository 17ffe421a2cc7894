import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/harness';
import { socketOutcome, startServe, stopServe, type Serving } from '../support/serve';

const SECRET = 'origins-secret';
const hello = [JSON.stringify({ type: 'hello', secret: SECRET })];

describe('braid serve listening on every address', () => {
  let dir: string;
  let serve: Serving;
  before(async () => {
    dir = await tempDir('braid-origins-');
    // Listening on every address; the test still speaks only to 127.0.0.1.
    serve = await startServe(dir, SECRET, ['--host', '0.0.0.0']);
  });
  after(async () => {
    await stopServe(serve);
    await rm(dir, { recursive: true, force: true });
  });

  it('gives an address to open on this machine, and takes pages opened at an address of it, never at a name', async () => {
    const port = new URL(serve.url).port;
    assert.equal(serve.url, `http://127.0.0.1:${port}`, 'not http://0.0.0.0, which browsers do not open');
    const api = `ws://127.0.0.1:${port}/api`;
    assert.match(await socketOutcome(api, { origin: `http://127.0.0.1:${port}` }, hello), /"ready"/);
    assert.match(await socketOutcome(api, { origin: `http://localhost:${port}` }, hello), /"ready"/);
    // A name that resolves here (DNS rebinding) is still a foreign page.
    assert.equal(await socketOutcome(api, { origin: `http://rebound.example:${port}` }, hello), 'refused 401');
  });
});
