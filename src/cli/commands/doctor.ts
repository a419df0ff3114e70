/** `tidemark doctor`: is everything in place for the configured syncs? Lists what is off and the fix. */
import type { Command } from '../command.ts';
import { EXIT } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { checkControlPlane } from '../../doctor/check-control-plane.ts';
import { checkConnections } from '../../doctor/check-connections.ts';
import { checkDestinations } from '../../doctor/check-destinations.ts';
import { checkSyncs } from '../../doctor/check-syncs.ts';
import { checkReplicas } from '../../doctor/check-replicas.ts';
import { PROBE_TIMEOUT_MS } from '../../doctor/probe-client.ts';
import type { Finding } from '../../doctor/finding.ts';

/** One line per distinct fix of the failed findings; a failure without a known fix is named instead. */
function fixesOf(problems: readonly Finding[]): string[] {
  return [...new Set(problems.map((f) => f.fix ?? `${f.subject}: ${f.message}`))];
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the control plane, schedules, connections and every sync\'s table; print what is off and the fix',
  usage: `Usage: tidemark doctor [--config FILE] [--json]

Checks, without changing anything:
  control plane   it answers (with the round-trip time); an embedded PGlite held by a running
                  \`tidemark start\` is reported, not waited for
  ledger          its migrations against this Tidemark's: pending ones listed (tidemark migrate),
                  one newer than this build means upgrade Tidemark
  schedules       syncs[].schedules against what the job engine has registered: missing
                  (configured, never registered: the sync never runs), extra (registered, no longer
                  configured: it still fires), changed (cron, timezone, window or missed differ);
                  fix: tidemark schedules apply (or restart tidemark start)
  connections     one cheap authenticated call each (at most ${PROBE_TIMEOUT_MS / 1000} s): a refused key names the tenant,
                  the connection and the environment variable holding it (never the key)
  destinations    each answers (with the round-trip time)
  tables          every sync's destination table has the columns and types the stream writes
                  (instants in a zone-aware type: a naive timestamp is flagged and explained) and a
                  unique key on (tenant_id, <upstream id>); for a sync with a mapping, the user's own
                  table has the mapped columns, a unique key on the identity column and lookups that
                  can match; zone-less columns receiving instants are warned about (!)
  replicas        each replicas[].module loads and defines a replica (docs/replica.md)
--json prints { ok, findings: [{ level, subject, message, fix? }], fixes } instead.
Exit 0 when everything is in place; 1 with each problem and, at the end, the list of fixes.`,
  async run(ctx) {
    const { values } = parseCommandArgs(ctx.argv, { config: { type: 'string' }, json: { type: 'boolean' } });
    const { config } = await loadConfig(values.config, ctx.env);
    const findings: Finding[] = [...(await checkControlPlane(config, ctx.env)), ...(await checkConnections(config, ctx.env, ctx.signal))];
    const destinations = await checkDestinations(config, ctx.env);
    findings.push(...destinations.findings, ...(await checkSyncs(config, ctx.env, destinations.unreachable)), ...(await checkReplicas(config)));
    const problems = findings.filter((f) => f.level === 'error');
    const fixes = fixesOf(problems);
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ ok: problems.length === 0, findings, fixes })}\n`);
    } else {
      for (const f of findings) {
        ctx.stdout.write(`${f.level === 'ok' ? '✓' : f.level === 'warning' ? '!' : '✗'} ${f.subject}: ${f.message}\n`);
        if (f.fix) ctx.stdout.write(`    fix: ${f.fix}\n`);
      }
      if (problems.length === 0) {
        ctx.stdout.write('\nEverything is in place.\n');
      } else {
        ctx.stdout.write(`\n${problems.length} problem(s). To fix:\n${fixes.map((fix) => `  - ${fix}\n`).join('')}`);
      }
    }
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  },
};
