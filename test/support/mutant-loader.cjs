// Webpack pre-loader for the replay test's negative control: applies one subtle change to one workflow file.
module.exports = function mutate(source) {
  const { file, from, to } = this.getOptions();
  if (!this.resourcePath.endsWith(file)) return source;
  if (!source.includes(from)) throw new Error(`mutant: "${from}" not found in ${file}; update the mutation in test/replay.test.ts`);
  return source.replace(from, to);
};
