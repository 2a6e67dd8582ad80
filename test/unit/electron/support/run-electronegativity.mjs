// Runs Electronegativity's programmatic API on one folder and prints the findings as one JSON line.
// Usage: node --import ./offline-network.mjs run-electronegativity.mjs <folder> <electron version>
import { createRequire } from 'node:module';

const run = createRequire(import.meta.url)('@doyensec/electronegativity');
const [input, electronVersion] = process.argv.slice(2);

try {
  const result = await run({
    input,
    severitySet: 'informational',
    confidenceSet: 'tentative',
    isRelative: true,
    electronVersionOverride: electronVersion,
    // Needs Electron's release list from the internet; the pinned version is audited separately.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
  const issues = result.issues.map((issue) => ({
    id: issue.id,
    file: issue.file,
    line: issue.location ? issue.location.line : 0,
    severity: issue.severity.name ?? String(issue.severity),
    confidence: issue.confidence.name ?? String(issue.confidence),
    description: issue.description,
  }));
  const summary = { issues, errors: result.errors, globalChecks: result.globalChecks, atomicChecks: result.atomicChecks };
  process.stdout.write(`\nELECTRONEGATIVITY ${JSON.stringify(summary)}\n`);
} catch (error) {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
}
