import { WifiOff } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Connection } from '../api/connection';

/** Shown while the page has lost `braid serve`: what is on screen is no longer live until it comes back. */
export function ConnectionBanner({ connection }: { connection: Connection }) {
  const [state, setState] = useState(connection.state());
  useEffect(() => connection.subscribe(setState), [connection]);
  if (state === 'connected') return null;
  return (
    <div className="banner" role="alert">
      <WifiOff size={16} aria-hidden /> Disconnected from Braid — reconnecting… What you see may be out of date.
    </div>
  );
}
