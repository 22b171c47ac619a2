import { formatCount } from "../format";

/** Previous/Next over a long list, with "21–40 of 1,234"; nothing when one page holds all. */
export function Pager({ total, offset, size, onOffset }: { total: number; offset: number; size: number; onOffset: (o: number) => void }) {
  if (total <= size) return null;
  return (
    <div className="inline-form pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - size))}>
        Previous
      </button>
      <span>
        {formatCount(offset + 1)}–{formatCount(Math.min(total, offset + size))} of {formatCount(total)}
      </span>
      <button type="button" disabled={offset + size >= total} onClick={() => onOffset(offset + size)}>
        Next
      </button>
    </div>
  );
}
