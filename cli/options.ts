import { InvalidArgumentError } from 'commander';

/** `--speed 600`: a positive finite number, or commander reports the option and exits 2. */
export const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
};

/** `--port 8123`: 0 (any free port) to 65535. */
export const portNumber = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
};

/** `--interval 2`: seconds between refreshes, at least a tenth of a second. */
export const intervalSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1) throw new InvalidArgumentError('expected a number of seconds, at least 0.1.');
  return n;
};
