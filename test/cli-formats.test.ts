// Every --format on the same small result: NULL, a list, a string with a comma and quotes, the empty
// string, a '|', and a BIGINT beyond JavaScript's safe integers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

const query = `SELECT * FROM (VALUES
  (1, NULL, [1, 2, 3], 'a,"b"', 9007199254740993::BIGINT),
  (2, 'x|y', [], '', 7::BIGINT)) t(id, n, l, s, big) ORDER BY id`;

const expected: Record<string, string> = {
  table: [
    '┌─────────┬─────────┬───────────┬─────────┬──────────────────┐',
    '│   id    │    n    │     l     │    s    │       big        │',
    '│ integer │ varchar │ integer[] │ varchar │      bigint      │',
    '├─────────┼─────────┼───────────┼─────────┼──────────────────┤',
    '│       1 │ NULL    │ [1, 2, 3] │ a,"b"   │ 9007199254740993 │',
    '│       2 │ x|y     │ []        │         │                7 │',
    '└─────────┴─────────┴───────────┴─────────┴──────────────────┘',
    '2 rows',
    '',
  ].join('\n'),
  csv: ['id,n,l,s,big', '1,,"[1, 2, 3]","a,""b""",9007199254740993', '2,x|y,[],"",7', ''].join('\n'),
  json: [
    '[{"id":1,"n":null,"l":[1,2,3],"s":"a,\\"b\\"","big":"9007199254740993"},',
    '{"id":2,"n":"x|y","l":[],"s":"","big":7}]',
    '',
  ].join('\n'),
  jsonl: [
    '{"id":1,"n":null,"l":[1,2,3],"s":"a,\\"b\\"","big":"9007199254740993"}',
    '{"id":2,"n":"x|y","l":[],"s":"","big":7}',
    '',
  ].join('\n'),
  markdown: [
    '| id | n | l | s | big |',
    '| ---: | --- | --- | --- | ---: |',
    '| 1 | NULL | [1, 2, 3] | a,"b" | 9007199254740993 |',
    '| 2 | x\\|y | [] |  | 7 |',
    '',
  ].join('\n'),
};

for (const [format, output] of Object.entries(expected)) {
  test(`--format ${format}`, async () => {
    const r = await runCli(['--format', format, '-c', query]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, output);
    assert.equal(r.code, 0);
  });
}

test('table is the default format, and json prints one array per statement with rows', async () => {
  const table = await runCli(['-c', query]);
  assert.equal(table.stdout, expected['table']);
  const json = await runCli(['--format', 'json', '-c', 'SELECT 1 AS a; CREATE TABLE t (x INT); SELECT x FROM t']);
  assert.equal(json.stdout, '[{"a":1}]\n[]\n');
});
