/**
 * The Cliniko simulator in its own process for the rate benchmark: the upstream's CPU must not
 * slow the client being measured. Started by bench/cliniko-rate.ts with its settings as JSON in
 * argv[2]; prints one JSON line `{apiUrl, apiKey}` when listening; stops on SIGTERM.
 */
import { startClinikoSimulator } from '../src/connectors/cliniko/simulator/index.ts';

export interface SimulatorProcessSettings {
  readonly patients: number;
  readonly perMinute: number;
  readonly minuteMs: number;
  readonly seed: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessSettings;
const simulator = await startClinikoSimulator({
  seed: settings.seed,
  generate: { patients: settings.patients, appointments: 0 },
  rateLimit: { perMinute: settings.perMinute, minuteMs: settings.minuteMs },
});
process.stdout.write(`${JSON.stringify({ apiUrl: simulator.apiUrl, apiKey: simulator.apiKey })}\n`);
process.once('SIGTERM', () => {
  void simulator.close().then(() => process.exit(0));
});
