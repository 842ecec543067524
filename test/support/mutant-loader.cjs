// Webpack pre-loader for the replay test's negative control: applies the subtle changes meant for this workflow file.
module.exports = function mutate(source) {
  const { mutations } = this.getOptions();
  let out = source;
  for (const { file, from, to } of mutations) {
    if (!this.resourcePath.endsWith(file)) continue;
    if (!out.includes(from))
      throw new Error(`mutant: "${from}" not found in ${file}; update the mutation in test/replay.test.ts`);
    out = out.replace(from, to);
  }
  return out;
};
