/**
 * A value built on first use. The stores' zod schemas are built this way: a function that never
 * reads a job or a queue answer in an invocation should not pay for their construction at cold
 * start, and most invocations start by loading, not by reading.
 */
export const lazy = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
};
