// Server-to-client notifications: MCP logging (notifications/message, honouring logging/setLevel,
// redacted, rate-limited) and progress (strictly increasing, throttled, never after the response).
import { redactValue } from '../audit/redact.ts';
import { LOG_LEVELS } from '../config/schema.ts';
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LEVEL_NAMES = LOG_LEVELS.join(', '); // for messages that list them

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

export type Notifier = ReturnType<typeof createNotifier>;

const MAX_LOGS_PER_SECOND = 20;

export function createNotifier(send: (message: unknown) => void, initial: LogLevel, now: () => number) {
  let threshold = LOG_LEVELS.indexOf(initial);
  let enabled = false; // nothing before the session is initialized
  let windowStart = 0;
  let sentInWindow = 0;
  return {
    log(level: LogLevel, logger: string, data: unknown): void {
      if (!enabled || LOG_LEVELS.indexOf(level) < threshold) return;
      const t = now();
      if (t - windowStart >= 1000) {
        windowStart = t;
        sentInWindow = 0;
      }
      if (++sentInWindow > MAX_LOGS_PER_SECOND) return;
      send({ jsonrpc: '2.0', method: 'notifications/message', params: { level, logger, data: redactValue(data) } });
    },
    setLevel: (level: LogLevel): void => void (threshold = LOG_LEVELS.indexOf(level)),
    enable: (): void => void (enabled = true),
  };
}

const PROGRESS_INTERVAL_MS = 100;

export function createProgress(
  send: (message: unknown) => void, token: string | number | undefined, withMessage: boolean, now: () => number,
) {
  let last = -Infinity;
  let lastAt = -Infinity;
  let finished = false;
  return {
    report(done: number, total: number | null, message: string): void {
      if (token === undefined || finished || done <= last) return;
      const t = now();
      if (t - lastAt < PROGRESS_INTERVAL_MS && (total === null || done < total)) return;
      last = done;
      lastAt = t;
      const params: Record<string, unknown> = { progressToken: token, progress: done };
      if (total !== null) params['total'] = total;
      if (withMessage) params['message'] = message;
      send({ jsonrpc: '2.0', method: 'notifications/progress', params });
    },
    finish: (): void => void (finished = true),
  };
}
