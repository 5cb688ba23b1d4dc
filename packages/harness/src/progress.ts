/** Progress on stderr for long steps: a live line on a terminal, nothing when piped or quiet. */

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

export function progress(label: string, enabled = true): Progress {
  const live = enabled && process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      if (!live) return;
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${label} ${done}/${total}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
