// The MCP registry entry. The repository's server.json is the template (name, versions, packages); the
// .mcpb's fileSha256 changes with every build, so only the release knows it: `npm run release` writes
// dist/server.json, the template plus that hash, and that file is the one to publish.
// `node scripts/server_json.mjs FILE.mcpb [--out DIR]` does the same for a given bundle (the tests use it).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The template with the .mcpb package's fileSha256 set; refuses a template that disagrees with package.json. */
export function registryEntry(template, pkg, mcpbSha256) {
  const problems = [];
  if (template.name !== pkg.mcpName) problems.push(`name ${template.name} is not mcpName ${pkg.mcpName}`);
  for (const p of [template, ...template.packages]) {
    if (p.version !== pkg.version) problems.push(`${p.identifier ?? 'server'}: ${p.version}, not ${pkg.version}`);
  }
  const mcpb = template.packages.filter((p) => p.registryType === 'mcpb');
  const named = mcpb.length === 1 && mcpb[0].identifier.endsWith(`/docwarden-${pkg.version}.mcpb`);
  if (!named) problems.push('needs one mcpb package named docwarden-<version>.mcpb');
  if (problems.length > 0) throw new Error(`server.json: ${problems.join('; ')}`);
  const packages = template.packages.map((p) => (p.registryType === 'mcpb' ? { ...p, fileSha256: mcpbSha256 } : p));
  return { ...template, packages };
}

export function writeServerJson(mcpbFile, outDir = join(root, 'dist')) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const template = JSON.parse(readFileSync(join(root, 'server.json'), 'utf8'));
  const sha = createHash('sha256').update(readFileSync(mcpbFile)).digest('hex');
  const file = join(outDir, 'server.json');
  writeFileSync(file, `${JSON.stringify(registryEntry(template, pkg, sha), null, 2)}\n`);
  return file;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  console.log(writeServerJson(resolve(process.argv[2]), i > 0 ? resolve(process.argv[i + 1]) : undefined));
}
