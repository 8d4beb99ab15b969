import { describe, expect, it } from 'vitest';
import { cli } from './helpers';

const COMMANDS = ['demo', 'run', 'plan', 'replicate', 'status', 'history', 'cancel', 'retry', 'prune', 'dead-letters', 'invoke', 'validate', 'init', 'sim', 'serve'];

describe('the command line', () => {
  it.each(COMMANDS)('shows help for %s with examples and the exit codes, and exits 0', async (command) => {
    // Act
    const result = await cli([command, '--help']);
    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Usage: image-replicator ${command}`);
    expect(result.out).toContain('Examples:');
    expect(result.out).toMatch(/Exit codes:[\s\S]*130[\s\S]*143/);
  });

  it('prints its version and exits 0', async () => {
    // Act
    const result = await cli(['--version']);
    // Assess
    expect(result.code).toBe(0);
    expect(result.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('suggests the command meant by a typo and exits 2', async () => {
    // Act
    const result = await cli(['stauts']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain("unknown command 'stauts'");
    expect(result.err).toContain('Did you mean status?');
  });

  it('exits 2 on a speed that is not a number', async () => {
    // Act
    const result = await cli(['run', '--speed', 'abc']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain("'--speed <n>' argument 'abc' is invalid");
  });

  it('exits 2 on an unknown option, a missing argument and no command at all', async () => {
    // Act
    const results = await Promise.all([cli(['status', '--colour']), cli(['cancel']), cli([]), cli(['retry'])]);
    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results[3]?.err).toContain('retry takes a JOB_ID or --failed');
  });

  it("lists plan's own exit code 3 in its help, and only there", async () => {
    // Act
    const plan = await cli(['plan', '--help']);
    const run = await cli(['run', '--help']);
    // Assess
    expect(plan.out).toMatch(/^ {2}3 {4}changes are pending: .*terraform plan -detailed-exitcode/m);
    expect(plan.out).toMatch(/^ {2}1 {4}a region could not be read/m);
    expect(run.out).not.toMatch(/^ {2}3 /m);
  });

  it('takes the status token only from the environment: serve has no option that carries it', async () => {
    // Act
    const help = await cli(['serve', '--help']);
    const given = await cli(['serve', '--token', 'a-token-typed-on-the-command-line-0123']);
    // Assess
    expect(help.out).toContain('--token-env <name>');
    expect(help.out).not.toMatch(/--token </);
    expect(given.code).toBe(2);
    expect(given.err).toContain("unknown option '--token'");
  });
});
