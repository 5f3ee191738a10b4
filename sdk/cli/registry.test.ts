/** The lazy command registry agrees with the command modules it loads. */
import test from 'ava';
import { COMMAND_ENTRIES, GROUPS } from './registry.js';

for (const entry of COMMAND_ENTRIES) {
  const path = entry.name === '' ? entry.group : `${entry.group} ${entry.name}`;
  test(`registry: axon ${path} loads the command it names, with the same summary`, async (t) => {
    const command = await entry.load();
    t.is(command.group, entry.group);
    t.is(command.name, entry.name);
    t.is(command.summary, entry.summary, `sdk/cli/registry.ts and the module of \`axon ${path}\` disagree on the summary`);
    t.true(GROUPS.some((group) => group.name === entry.group), `group "${entry.group}" is missing from GROUPS`);
  });
}

test('registry: every group has at least one command and no command is listed twice', (t) => {
  for (const group of GROUPS) t.true(COMMAND_ENTRIES.some((entry) => entry.group === group.name), `group ${group.name} has no command`);
  const paths = COMMAND_ENTRIES.map((entry) => `${entry.group} ${entry.name}`);
  t.is(new Set(paths).size, paths.length);
});
