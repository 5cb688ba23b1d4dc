/**
 * Tests that need a toolchain skip, with a warning, where it is missing. In CI that would
 * hide a broken setup, so there every tool the suite uses must be present.
 */
import { describe, expect, it } from 'vitest';
import { findOnPath } from '@mliflow/harness';

const TOOLS = ['gcc', 'make', 'arc-linux-gnu-gcc', 'arc-linux-gnu-objdump', 'valgrind', 'openocd'];

describe.runIf(process.env.CI)('CI toolchains', () => {
  it.each(TOOLS)('%s is installed (scripts/setup-toolchains.sh)', (tool) => {
    expect(findOnPath(tool), `${tool} is missing: the setup did not install it`).not.toBeNull();
  });
});
