// Measuring helpers for the benchmark: statistics, /proc memory readings, timed external commands.
// Linux only for memory (reads /proc/<pid>/status); elsewhere memory figures are reported as null.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** { rssMB, hwmMB } from /proc/<pid>/status, or nulls when unavailable (process gone, not Linux). */
export function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s);
      return m ? Number(m[1]) / 1024 : null;
    };
    return { rssMB: kb('VmRSS'), hwmMB: kb('VmHWM') };
  } catch {
    return { rssMB: null, hwmMB: null };
  }
}

/** CPU time (user + system, every thread) process `pid` has used, in ms (10 ms steps), or null when unavailable. */
export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/** Samples VmRSS every `everyMs`; stop() returns the peak seen (MB) and the last VmHWM read. */
export function sampleRss(pid, everyMs = 20, onSample = undefined) {
  let peak = null;
  let hwm = null;
  const tick = () => {
    const m = memOf(pid);
    if (m.rssMB !== null && (peak === null || m.rssMB > peak)) peak = m.rssMB;
    if (m.hwmMB !== null) hwm = m.hwmMB;
    if (onSample) onSample(m);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      tick();
      clearInterval(timer);
      return { peakRssMB: peak, hwmMB: hwm };
    },
  };
}

/** `command -v name` through the shell; true when found. */
export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs a command to completion, consuming (and counting) its stdout; returns { ms, lines, code }.
 * `maxLines` ends the run (SIGTERM) once that many lines arrived, like `| head -n maxLines`.
 */
export function timeCommand(cmd, args, { maxLines = Infinity, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    let tEnough = null;
    child.stdout.on('data', (chunk) => {
      if (tEnough !== null) return;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      if (lines >= maxLines) {
        tEnough = performance.now();
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const t = tEnough ?? performance.now();
      resolve({ ms: t - t0, lines: Math.min(lines, maxLines), code: code ?? signal });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const round = (
  x,
  digits = 1,
) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);
