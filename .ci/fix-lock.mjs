// Drop optional dependencies the registry here cannot serve (other platforms' binaries) from the
// lock's package entries, so `npm ci` finds the lock consistent.
import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const has = (name, from) => {
  // npm resolves from the nearest node_modules upwards
  let base = from;
  for (;;) {
    const key = (base ? base + '/' : '') + 'node_modules/' + name;
    if (lock.packages[key]) return true;
    if (!base) return false;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
};
let removed = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  if (!pkg.optionalDependencies) continue;
  for (const dep of Object.keys(pkg.optionalDependencies)) if (!has(dep, key)) { delete pkg.optionalDependencies[dep]; removed++; }
  if (Object.keys(pkg.optionalDependencies).length === 0) delete pkg.optionalDependencies;
}
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`removed ${removed} optional dependencies with no lock entry`);
