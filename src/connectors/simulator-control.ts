/**
 * What every upstream simulator shares: the `/__sim` control routes (stats, faults, reset) that
 * tests and people drive, and the size-capped JSON body they read.
 */
import type { IncomingMessage } from 'node:http';

const MAX_CONTROL_BODY = 64 * 1024;

/** A control request's JSON body (empty = `{}`); refuses more than 64 KiB. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_CONTROL_BODY) throw new RangeError('body is larger than 64 KiB');
    chunks.push(bytes);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}

export interface SimulatorControl {
  /** What `GET /__sim/stats` and every other control answer returns. */
  state(): unknown;
  /** Apply a fault patch; throws with the reason when it is invalid. */
  patchFaults(patch: unknown): void;
  /** Back to the starting data, faults and counters. */
  reset(): void;
}

/** Answer `GET /__sim/stats`, `POST /__sim/faults` or `POST /__sim/reset`: a status and a JSON value. */
export async function answerControl(request: IncomingMessage, url: URL, control: SimulatorControl): Promise<{ status: number; value: unknown }> {
  const route = `${request.method ?? 'GET'} ${url.pathname}`;
  if (route === 'GET /__sim/stats') return { status: 200, value: control.state() };
  if (route === 'POST /__sim/faults') {
    try {
      control.patchFaults(await readJson(request));
    } catch (error) {
      return { status: 400, value: { error: error instanceof Error ? error.message : String(error) } };
    }
    return { status: 200, value: control.state() };
  }
  if (route === 'POST /__sim/reset') {
    control.reset();
    return { status: 200, value: control.state() };
  }
  return { status: 404, value: { error: `no control route ${route}; use GET /__sim/stats, POST /__sim/faults or POST /__sim/reset` } };
}
