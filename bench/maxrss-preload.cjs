// Preloaded into every Node process of a measured command (NODE_OPTIONS=--require …, set by
// bench/maxrss.ts): at exit it records the process's peak resident memory as the kernel counts
// it (getrusage ru_maxrss, via process.resourceUsage()) into $BENCH_MAXRSS_DIR/<pid>.json.
// Worker threads share their process's memory, so only the main thread records. A process
// killed by a signal it does not handle records nothing; bench/tree-rusage.py's tree figure
// still counts it.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread } = require('node:worker_threads');

const dir = process.env.BENCH_MAXRSS_DIR;
if (dir && isMainThread) {
  process.on('exit', () => {
    try {
      const record = {
        pid: process.pid,
        ppid: process.ppid,
        argv0: process.argv0,
        script: process.argv[1] ?? '',
        maxRssKb: process.resourceUsage().maxRSS,
      };
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(record));
    } catch {
      // A measurement must never change how the measured process exits.
    }
  });
}
