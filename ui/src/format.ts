// Pure presentation helpers, unit-tested without a browser.

/** How a delimiter is named to a person. */
export function describeDelimiter(d: string | null | undefined): string {
  switch (d) {
    case ",":
      return "comma";
    case ";":
      return "semicolon";
    case "\t":
      return "tab";
    case "|":
      return "pipe";
    case null:
    case undefined:
    case "":
      return "—";
    default:
      return `“${d}”`;
  }
}

/** The file name at the end of a path, for either path separator. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** The folder part of a path, for either path separator, or null when it has none. */
export function folderOf(path: string): string | null {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (i < 0) return null;
  // A file at the root keeps the root: "/clients.csv" is in "/", "C:\clients.csv" in "C:\".
  return i === 0 || path[i - 1] === ":" ? path.slice(0, i + 1) : path.slice(0, i);
}

/** A count with thousands separators, e.g. 1,000,000. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes as a short human size, e.g. 148.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Percent done of a read, or null when the total is unknown. */
export function percent(done: number, total: number | null | undefined): number | null {
  if (!total || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.round((done / total) * 100)));
}

/** A short unique id for a background job. */
export function newJobId(): string {
  return `job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** File types the pickers offer: everything the reader can open. */
export const SUPPORTED_EXTENSIONS = ["csv", "txt", "tsv", "tab", "psv", "xlsx", "xlsm", "xlsb", "xls", "ods"];
