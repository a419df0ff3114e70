/** A site process writing through mutate() in a loop until it is killed (test/replica-site tests). */
import { openAuditSite } from './replica-site.ts';

const site = openAuditSite(process.argv[2]!);
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  await site.mutate('slowCreate', { id: `p${process.pid}-${i}`, title: 'x'.repeat(2000), spinMs: 2 });
}
