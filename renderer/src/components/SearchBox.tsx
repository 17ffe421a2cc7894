import { Search, X } from 'lucide-react';
import { forwardRef, useEffect, useState } from 'react';

/**
 * Finds downloads by name or URL. The queue is asked again once typing pauses, not at every key: in a queue of
 * millions each search reads every row. Escape clears it.
 */
export const SearchBox = forwardRef<HTMLInputElement, { value: string; onSearch: (text: string) => void }>(function SearchBox({ value, onSearch }, ref) {
  const [text, setText] = useState(value);
  // Cleared from elsewhere (the empty list's "Clear the search"): the box follows. Its own search, trimmed, leaves
  // what is typed alone, or a space typed before the next word would be taken away.
  useEffect(() => setText((typed) => (typed.trim() === value ? typed : value)), [value]);
  useEffect(() => {
    const wanted = text.trim();
    if (wanted === value) return;
    const timer = setTimeout(() => onSearch(wanted), 250);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  const searchNow = (wanted: string) => wanted !== value && onSearch(wanted);
  const clear = () => (setText(''), searchNow(''));
  return (
    <div className="search-box" role="search">
      <Search size={15} aria-hidden />
      <input
        ref={ref}
        type="text"
        aria-label="Search downloads"
        placeholder="Search"
        title="Search downloads by name or address (Ctrl+F)"
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text !== '') clear();
          // Enter searches at once rather than after the pause.
          if (e.key === 'Enter') searchNow(text.trim());
        }}
      />
      {text !== '' && (
        <button type="button" className="icon-button" aria-label="Clear the search" onClick={clear}>
          <X size={14} aria-hidden />
        </button>
      )}
    </div>
  );
});
