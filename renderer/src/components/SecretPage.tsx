import { KeyRound } from 'lucide-react';
import type { ConnectError } from '../api/connection';

const WORDS: Record<ConnectError['reason'], { title: string; text: string }> = {
  'no-secret': {
    title: 'This page needs its secret',
    text: 'braid serve printed an address that ends in #secret= and a long code: open that whole address. The secret keeps other pages and people out of your downloads.',
  },
  'wrong-secret': {
    title: 'The secret in this address is not accepted',
    text: 'braid serve may have been restarted with a new secret: open the address it printed last, the one that ends in #secret= and a code.',
  },
  unreachable: {
    title: 'Braid is not answering',
    text: 'Start it again with braid serve, then open the address it prints.',
  },
};

/** What a browser tab shows when it cannot use the queue: why, and what to do. */
export function SecretPage({ reason }: { reason: ConnectError['reason'] }) {
  const w = WORDS[reason];
  return (
    <main className="secret-page">
      <KeyRound size={40} aria-hidden />
      <h1>{w.title}</h1>
      <p>{w.text}</p>
    </main>
  );
}
