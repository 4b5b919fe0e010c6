import { type ExecResult, failed, type RunArgv, type Vm } from './vm.ts';

// A very small POSIX-ish shell: words with quotes and `$NAME`/`${NAME}`/`$?`, the operators
// `&&`, `||`, `;`, and redirections to /dev/null or between stdout and stderr. Enough for the
// single-string `cmd` form of exec, an operator's quoted one-liner
// (`sh -c "clickhouse-client --query 'SELECT 1'"`) and the probes a runbook check would wrap
// (`sh -c "timeout 10 mc ready local; echo __RC=$?"`). Pipes and `&` are refused, not faked.

type Part = { text: string } | { variable: string };
type Word = Part[];
type Token = { op: '&&' | '||' | ';' | '|' | '&' } | { word: Word };

class ShellSyntaxError extends Error {}

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  const push = (part: Part): void => {
    word ??= [];
    word.push(part);
  };
  const end = (): void => {
    if (word) tokens.push({ word });
    word = undefined;
  };
  const variable = (i: number): { part: Part; next: number } => {
    const rest = script.slice(i + 1);
    if (rest.startsWith('?')) return { part: { variable: '?' }, next: i + 2 };
    const braced = /^\{(\w+)\}/.exec(rest);
    if (braced?.[1]) return { part: { variable: braced[1] }, next: i + 1 + braced[0].length };
    const bare = /^[A-Za-z_]\w*/.exec(rest);
    if (bare) return { part: { variable: bare[0] }, next: i + 1 + bare[0].length };
    return { part: { text: '$' }, next: i + 1 };
  };

  let i = 0;
  while (i < script.length) {
    const ch = script[i] ?? '';
    const two = script.slice(i, i + 2);
    if (/\s/.test(ch)) {
      end();
      i += 1;
    } else if (two === '&&' || two === '||') {
      end();
      tokens.push({ op: two });
      i += 2;
    } else if (ch === ';' || ch === '|' || (ch === '&' && script[i + 1] !== '>' && script[i - 1] !== '>')) {
      end();
      tokens.push({ op: ch as ';' | '|' | '&' });
      i += 1;
    } else if (ch === "'") {
      const close = script.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('Unterminated quoted string');
      push({ text: script.slice(i + 1, close) });
      i = close + 1;
    } else if (ch === '"') {
      i += 1;
      push({ text: '' }); // "" is an (empty) word
      while (script[i] !== '"') {
        if (i >= script.length) throw new ShellSyntaxError('Unterminated quoted string');
        const c = script[i] ?? '';
        if (c === '\\' && /["\\$`]/.test(script[i + 1] ?? '')) {
          push({ text: script[i + 1] ?? '' });
          i += 2;
        } else if (c === '$') {
          const v = variable(i);
          push(v.part);
          i = v.next;
        } else {
          push({ text: c });
          i += 1;
        }
      }
      i += 1;
    } else if (ch === '\\') {
      push({ text: script[i + 1] ?? '' });
      i += 2;
    } else if (ch === '$') {
      const v = variable(i);
      push(v.part);
      i = v.next;
    } else {
      push({ text: ch });
      i += 1;
    }
  }
  end();
  return tokens;
}

interface Shell {
  vm: Vm;
  status: number;
  signal: AbortSignal;
  run: RunArgv;
}

function expand(word: Word, sh: Shell): string {
  return word
    .map((p) => ('text' in p ? p.text : p.variable === '?' ? String(sh.status) : (sh.vm.env[p.variable] ?? '')))
    .join('');
}

class ShellExit extends Error {
  constructor(readonly result: ExecResult) {
    super('exit');
  }
}

interface Redirections {
  stdout: 'keep' | 'null' | 'stderr';
  stderr: 'keep' | 'null' | 'stdout';
}

/** Splits `2>&1`, `>/dev/null`, `2> /dev/null`, `&>/dev/null` off the argument list. */
function redirections(words: string[]): { argv: string[]; redirect: Redirections } | { error: string } {
  const argv: string[] = [];
  const redirect: Redirections = { stdout: 'keep', stderr: 'keep' };
  for (let i = 0; i < words.length; i += 1) {
    const w = words[i] ?? '';
    const m = /^(\d|&)?>>?(.*)$/.exec(w);
    if (!m) {
      argv.push(w);
      continue;
    }
    const fd = m[1] ?? '1';
    let target = m[2] ?? '';
    if (target === '') {
      i += 1;
      target = words[i] ?? '';
    }
    if (target === '&1' && fd === '2') redirect.stderr = 'stdout';
    else if (target === '&2' && fd === '1') redirect.stdout = 'stderr';
    else if (target === '/dev/null') {
      if (fd !== '2') redirect.stdout = 'null';
      if (fd !== '1') redirect.stderr = 'null';
    } else return { error: `cannot create ${target}: Read-only file system` };
  }
  return { argv, redirect };
}

function applyRedirections(r: ExecResult, redirect: Redirections): ExecResult {
  let stdout = redirect.stdout === 'keep' ? r.stdout : '';
  let stderr = redirect.stderr === 'keep' ? r.stderr : '';
  if (redirect.stderr === 'stdout') stdout += r.stderr;
  if (redirect.stdout === 'stderr') stderr += r.stdout;
  return { exitCode: r.exitCode, stdout, stderr };
}

/**
 * Runs `script` as `sh -c` would, each simple command through `run`. A syntax error or an
 * unsupported operator (`|`, `&`) exits 2 before anything runs, as dash does for a parse error;
 * `exit N` ends the script with N & 255.
 */
export async function runScript(script: string, vm: Vm, signal: AbortSignal, run: RunArgv): Promise<ExecResult> {
  let tokens: Token[];
  try {
    tokens = tokenize(script);
  } catch (err) {
    return failed(2, `sh: 1: Syntax error: ${(err as Error).message}\n`);
  }
  const unsupported = tokens.find((t) => 'op' in t && (t.op === '|' || t.op === '&'));
  if (unsupported && 'op' in unsupported) {
    return failed(2, `sh: 1: the sandbox shell does not support '${unsupported.op}' (pipes and background jobs)\n`);
  }
  const sh: Shell = { vm, status: 0, signal, run };
  const out: ExecResult = { exitCode: 0, stdout: '', stderr: '' };
  let pending: Word[] = [];
  let skip = false;
  const flush = async (): Promise<void> => {
    const words = pending;
    pending = [];
    if (words.length === 0 || skip) return;
    const r = await runWords(
      words.map((w) => expand(w, sh)),
      sh,
    );
    out.stdout += r.stdout;
    out.stderr += r.stderr;
    sh.status = r.exitCode;
  };
  try {
    for (const t of tokens) {
      if ('word' in t) {
        pending.push(t.word);
        continue;
      }
      await flush();
      skip = (t.op === '&&' && sh.status !== 0) || (t.op === '||' && sh.status === 0);
    }
    await flush();
  } catch (err) {
    if (!(err instanceof ShellExit)) throw err;
    return {
      exitCode: err.result.exitCode,
      stdout: out.stdout + err.result.stdout,
      stderr: out.stderr + err.result.stderr,
    };
  }
  return { exitCode: sh.status, stdout: out.stdout, stderr: out.stderr };
}

async function runWords(words: string[], sh: Shell): Promise<ExecResult> {
  const parsed = redirections(words);
  if ('error' in parsed) return failed(2, `sh: 1: ${parsed.error}\n`);
  const [name] = parsed.argv;
  if (name === 'exit') {
    throw new ShellExit({ exitCode: Number(parsed.argv[1] ?? sh.status) & 255, stdout: '', stderr: '' });
  }
  const r = await sh.run(parsed.argv, sh.vm, sh.signal);
  return applyRedirections(r, parsed.redirect);
}
