/** The words `repair dedupe` prints: the dry run's plan and what --apply did. */
import type { DedupePlan, ListedGroup } from './find-groups.ts';
import type { DedupeOutcome } from './apply.ts';
import { tableLabel } from './target.ts';

function keyText(group: ListedGroup): string {
  return Object.entries(group.key)
    .map(([column, value]) => `${column}=${value ?? 'NULL'}`)
    .join(', ');
}

function constraintLine(plan: DedupePlan, verb: string): string {
  return plan.existingConstraint
    ? `unique key ${plan.existingConstraint} on (${plan.key.join(', ')}) exists already`
    : `unique constraint ${plan.constraintName} on (${plan.key.join(', ')}) ${verb}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatPlan(plan: DedupePlan, database: string): string {
  const lines = [`dry run on ${database}: table ${tableLabel(plan.shape)}, key (${plan.key.join(', ')})`];
  if (plan.groups === 0) {
    lines.push('no duplicate groups (rows with a NULL in the key are never duplicates)');
  } else {
    lines.push(`${plural(plan.groups, 'duplicate group')}, ${plural(plan.duplicateRows, 'row')}: ${plural(plan.rowsToDelete, 'row')} would be deleted, one kept per group`);
    lines.push(`kept row: ${plan.ranking}`);
    for (const group of plan.listed) lines.push(`  ${keyText(group)}: ${plural(group.rows, 'row')}, keep ${group.keep} (${group.reason})`);
    if (plan.groups > plan.listed.length) lines.push(`  … and ${plan.groups - plan.listed.length} more`);
  }
  lines.push(constraintLine(plan, 'would be added'));
  const nothing = plan.groups === 0 && plan.existingConstraint;
  lines.push(nothing ? 'nothing to do' : 'nothing changed; run again with --apply to back up the groups, delete the extra copies and add the constraint');
  return `${lines.join('\n')}\n`;
}

export function formatOutcome(plan: DedupePlan, outcome: DedupeOutcome, database: string): string {
  const lines = [`applied on ${database}: table ${tableLabel(plan.shape)}, key (${plan.key.join(', ')})`];
  if (outcome.groups === 0 && !outcome.constraintAdded) return `${lines[0]}\nno duplicate groups and ${constraintLine(plan, '')}: nothing to do\n`;
  lines.push(outcome.groups === 0 ? 'no duplicate groups' : `${plural(outcome.groups, 'duplicate group')}: deleted ${plural(outcome.rowsDeleted, 'row')}, kept one per group (${plan.ranking})`);
  if (outcome.backupTable) lines.push(`backup: ${outcome.backupTable} holds the ${plural(outcome.backupRows, 'row')} of those groups as they were, kept and deleted`);
  lines.push(outcome.constraintAdded ? `unique constraint ${outcome.constraintAdded} added on (${plan.key.join(', ')})` : constraintLine(plan, ''));
  return `${lines.join('\n')}\n`;
}

/** The --json shape: the plan, and what was done when --apply ran. */
export function reportJson(plan: DedupePlan, database: string, outcome: DedupeOutcome | undefined): string {
  return `${JSON.stringify({
    database,
    table: tableLabel(plan.shape),
    key: plan.key,
    ranking: plan.ranking,
    groups: plan.groups,
    duplicateRows: plan.duplicateRows,
    rowsToDelete: plan.rowsToDelete,
    listed: plan.listed,
    existingConstraint: plan.existingConstraint ?? null,
    constraintName: plan.constraintName,
    applied: outcome
      ? { groups: outcome.groups, rowsDeleted: outcome.rowsDeleted, backupTable: outcome.backupTable ?? null, backupRows: outcome.backupRows, constraintAdded: outcome.constraintAdded ?? null }
      : null,
  })}\n`;
}
