// The benchmarks' one summary of repeated runs: the median (the middle run; the upper middle of an
// even count), so that one slow run on a busy machine does not move a figure.
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
