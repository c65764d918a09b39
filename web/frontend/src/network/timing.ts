import Sigma from "sigma";

/**
 * Sigma renders synchronously inside its constructor, so a listener attached afterwards never sees the
 * first `afterRender`. This subclass marks `performance.mark(name)` on the first `afterRender` emitted,
 * constructor included. The mark's `startTime` is milliseconds since navigation start.
 */
export function sigmaWithFirstRenderMark(name: string): typeof Sigma {
  let marked = false;
  class TimedSigma extends Sigma {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override emit(type: any, ...args: any[]): boolean {
      if (!marked && type === "afterRender") {
        marked = true;
        performance.mark(name);
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.emit as any)(type, ...args);
    }
  }
  return TimedSigma as unknown as typeof Sigma;
}
