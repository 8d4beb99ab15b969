/**
 * A scenario measures one or more figures of the product. A scenario that cannot make its
 * measurement throws: the bench then fails (exit 1), because a figure not measured is no pass.
 */
export interface Measured {
  /** The figures, by their JSON name. */
  readonly metrics: Readonly<Record<string, number>>;
  /** How the figures came about, for the table (and stderr in --json mode). */
  readonly details: readonly string[];
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** The figures it makes, so a scenario that fails still names what is missing. */
  readonly produces: readonly string[];
  run(progress: (line: string) => void): Promise<Measured>;
}

export const hours = (seconds: number): string => `${(seconds / 3600).toFixed(2)} h`;
