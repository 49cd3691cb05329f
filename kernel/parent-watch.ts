/**
 * The kernel never outlives the process that started it, as ipykernel's parent poller: it checks about once a
 * second whether `JPY_PARENT_PID` (set by jupyter_client) names a process that is gone, or whether this process was
 * re-parented (its parent pid changed, e.g. to 1).
 */
// The kernel's own timers bypass the per-cell tracking cells' global timers get (cell-tasks.ts).
import { clearInterval, setInterval } from "timers";

/** How often the kernel checks that the process that started it is alive. */
const PARENT_POLL_MS = 1000;

/** Calls `onGone` (once, with the reason) when the process that started this one dies. The timer keeps no process alive. */
export function watchParent(onGone: (why: string) => void): void {
  const startParent = process.ppid;
  const named = Number(process.env.JPY_PARENT_PID);
  const parentGone = (): string | undefined => {
    if (process.ppid !== startParent) return `re-parented (parent pid ${startParent} -> ${process.ppid})`;
    if (Number.isInteger(named) && named > 1) {
      try {
        process.kill(named, 0);
      } catch (err) {
        if ((err as { code?: string }).code === "ESRCH") return `JPY_PARENT_PID ${named} is gone`;
      }
    }
    return undefined;
  };
  const timer = setInterval(() => {
    const why = parentGone();
    if (!why) return;
    clearInterval(timer);
    onGone(why);
  }, PARENT_POLL_MS);
  timer.unref();
}
