import { useEffect, useState } from "react";
import { getCurrentWebview } from "@tauri-apps/api/webview";

/** Files dropped on the window, while `active`, go to `onDrop`. Returns whether a drag is
 * over the window, and whether the listener is registered (so automation knows a drop will
 * be seen). */
export function useFileDrop(active: boolean, onDrop: (paths: string[]) => void): { dragging: boolean; listening: boolean } {
  const [dragging, setDragging] = useState(false);
  const [listening, setListening] = useState(false);
  useEffect(() => {
    if (!active) return;
    let unlisten: (() => void) | undefined;
    let alive = true;
    getCurrentWebview()
      .onDragDropEvent((event) => {
        if (!alive) return;
        const p = event.payload;
        if (p.type === "enter" || p.type === "over") setDragging(true);
        else if (p.type === "leave") setDragging(false);
        else if (p.type === "drop") {
          setDragging(false);
          onDrop(p.paths);
        }
      })
      .then((u) => {
        if (alive) {
          unlisten = u;
          setListening(true);
        } else u();
      });
    return () => {
      alive = false;
      setListening(false);
      unlisten?.();
    };
  }, [active, onDrop]);
  return { dragging, listening };
}
