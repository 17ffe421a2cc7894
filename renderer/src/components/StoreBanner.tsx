import { HardDrive } from 'lucide-react';

/** Why downloads wait on Braid's state database (its disk full, say), for as long as they do. */
export function StoreBanner({ problem }: { problem: string | null }) {
  if (problem === null) return null;
  return (
    <div className="banner store-banner" role="alert">
      <HardDrive size={16} aria-hidden /> {problem}
    </div>
  );
}
