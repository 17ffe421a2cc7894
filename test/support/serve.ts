import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BRAID } from './cli';

export interface Serving {
  child: ChildProcess;
  /** The page's address, without the secret. */
  url: string;
}

/** Starts `braid serve` on a free port with its state in `dir`; resolves once it prints its address. */
export function startServe(dir: string, secret: string, extraArgs: string[] = []): Promise<Serving> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BRAID, 'serve', '--port', '0', '--secret', secret, '-d', join(dir, 'files'), '--db', join(dir, 'state.db'), ...extraArgs],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /serving on (http:\/\/\S+)\/#secret=/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`braid serve exited with ${code}: ${out}`)));
  });
}

export async function stopServe(serving: Serving | undefined): Promise<void> {
  if (!serving || serving.child.exitCode !== null) return;
  serving.child.kill('SIGINT');
  await new Promise((r) => serving.child.once('exit', r));
}

/**
 * What became of a WebSocket to `url`: `refused <status>` at the handshake, `closed <code>`, or `message …`
 * for the first thing the server said. `send` goes out once the socket is open.
 */
export function socketOutcome(url: string, headers: Record<string, string>, send: (string | Buffer)[] = []): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      for (const m of send) ws.send(m);
    });
    ws.on('message', (d) => {
      resolve(`message ${String(d)}`);
      ws.close();
    });
    ws.on('close', (code) => resolve(`closed ${code}`));
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('error', () => undefined);
  });
}
