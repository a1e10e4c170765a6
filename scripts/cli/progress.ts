/**
 * Progress of long work on stderr (stdout stays for results): updated in place on a terminal,
 * one line per 10% step otherwise, so logs and CI output stay readable.
 */
export interface Progress {
  update(done: number, total: number): void;
  done(summary?: string): void;
}

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true;
  let lastShown = -1;
  let lastWrite = 0;
  return {
    update(done, total) {
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      if (interactive) {
        const now = Date.now();
        if (percent === lastShown && now - lastWrite < 200) return;
        lastWrite = now;
        lastShown = percent;
        stream.write(
          `\r${label}: ${percent}% (${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")})\x1b[K`,
        );
        return;
      }
      const step = Math.floor(percent / 10) * 10;
      if (step <= lastShown) return;
      lastShown = step;
      stream.write(`${label}: ${step}%\n`);
    },
    done(summary) {
      const text = `${label}: ${summary ?? "done"}`;
      stream.write(interactive ? `\r${text}\x1b[K\n` : `${text}\n`);
    },
  };
}
