#!/usr/bin/env node
// Entry point for `npx tidemark`. The CLI is TypeScript run by Node 24's type stripping;
// `npm ci` brings Node 24 through the `node` devDependency.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `tidemark needs Node.js 24 or newer (this is ${process.versions.node}).\n` +
      'Run it through npm so the project\'s own Node is used: `npm run tidemark -- <command>` or `npx tidemark <command>`.\n',
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
