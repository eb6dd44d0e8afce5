/** A pair's cointegration statistics from a (re-)test, plain JSON (a NaN half-life as null). */
export interface RetestedStats {
  pvalue: number;
  stat: number;
  alpha: number;
  beta: number;
  halfLife: number | null;
  correlation: number;
  score: number;
}
