/**
 * A hook for packages that bring their own tfjs bundle. danfojs-node loads `@tensorflow/tfjs-node` (in this project
 * an alias of the whole tfjs bundle), and when it loads it re-registers tfjs's stock kernels' gradients into tfjs's
 * one global registry, over any override registered before. Code that overrides gradients (the native kernel pack)
 * listens here; code that loads such a package (danfojs conversions, a cell importing danfojs) announces it.
 */

const listeners = new Set<() => void>();

/** Runs `listener` each time {@link foreignTfjsLoaded} announces a package with its own tfjs bundle. Never throws. */
export function onForeignTfjsLoaded(listener: () => void): void {
  listeners.add(listener);
}

/**
 * Announces that a package with its own tfjs bundle has just loaded, so gradient overrides can be put back. A
 * listener that throws is skipped (an override left out costs speed, never correctness). Never throws.
 */
export function foreignTfjsLoaded(): void {
  for (const listener of listeners) {
    try {
      listener();
    } catch {
      // see above
    }
  }
}
