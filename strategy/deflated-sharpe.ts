/**
 * The deflated Sharpe ratio (D. H. Bailey and M. López de Prado, "The Deflated Sharpe Ratio: Correcting for
 * Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014).
 *
 * All Sharpe ratios here are per bar (not annualised): SR = mean(r) / std(r) of the per-bar returns r_t.
 *
 *  1. Probabilistic Sharpe ratio (Bailey & López de Prado 2012, eq. in section 2 of the 2014 paper):
 *       PSR(SR*) = Phi( (SR^ - SR*) sqrt(T - 1) / sqrt(1 - g3 SR^ + (g4 - 1) / 4 SR^2) )
 *     with T returns, g3 their skewness and g4 their (non-excess) kurtosis: the probability that the true
 *     Sharpe ratio exceeds SR*, given the sample's length and its non-normality.
 *  2. Expected maximum Sharpe ratio of N independent trials with no skill (False Strategy theorem, via the
 *     Euler-Mascheroni approximation of the expected maximum of N standard normals):
 *       SR0 = sqrt(V[SR_n]) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))),  gamma = 0.5772156649...
 *     where V[SR_n] is the variance of the Sharpe ratios across the trials.
 *  3. DSR = PSR(SR0): the probability that the true Sharpe ratio is positive after allowing for the best of
 *     N lucky trials. Read it like a confidence level: DSR > 0.95 is significant at 5%.
 * N = 1 means no selection: SR0 = 0 and the DSR equals PSR(0).
 */
import { normalCdf } from './normal';
import { normalQuantile } from './normal-quantile';

export const EULER_MASCHERONI = 0.5772156649015329;

export interface ReturnMoments {
  /** Number of returns. */
  count: number;
  mean: number;
  /** Sample standard deviation (ddof 1). */
  std: number;
  /** Per-bar Sharpe ratio mean / std; 0 when std is 0. */
  sharpe: number;
  /** Skewness m3 / m2^1.5 (population moments); 0 when undefined. */
  skewness: number;
  /** Kurtosis m4 / m2^2, not excess (3 for a normal); 3 when undefined. */
  kurtosis: number;
}

export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i];
  mean = n > 0 ? mean / n : 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const pm2 = n > 0 ? m2 / n : 0;
  const skewness = pm2 > 0 ? m3 / n / Math.pow(pm2, 1.5) : 0;
  const kurtosis = pm2 > 0 ? m4 / n / (pm2 * pm2) : 3;
  return { count: n, mean, std, sharpe: std > 0 ? mean / std : 0, skewness, kurtosis };
}

/** PSR(SR*) of point 1 above; NaN with fewer than 2 returns. */
export function probabilisticSharpe(m: ReturnMoments, benchmarkSharpe: number): number {
  if (m.count < 2) return NaN;
  const sr = m.sharpe;
  const denom = 1 - m.skewness * sr + ((m.kurtosis - 1) / 4) * sr * sr;
  // The denominator is the variance of the SR estimator times T - 1; it is positive for any real sample
  // (g4 >= 1 + g3^2), but guard against rounding.
  if (!(denom > 0)) return sr > benchmarkSharpe ? 1 : 0;
  return normalCdf(((sr - benchmarkSharpe) * Math.sqrt(m.count - 1)) / Math.sqrt(denom));
}

/** SR0 of point 2 above: the Sharpe ratio the best of `trials` skill-less trials reaches by luck. */
export function expectedMaxSharpe(trials: number, trialSharpeVariance: number): number {
  if (!(trials > 1) || !(trialSharpeVariance > 0)) return 0;
  const g = EULER_MASCHERONI;
  return Math.sqrt(trialSharpeVariance) * ((1 - g) * normalQuantile(1 - 1 / trials) + g * normalQuantile(1 - 1 / (trials * Math.E)));
}

export interface DeflatedSharpe extends ReturnMoments {
  trials: number;
  trialSharpeVariance: number;
  /** SR0, per bar. */
  expectedMaxSharpe: number;
  /** PSR(0): the probability that the true Sharpe ratio is positive, ignoring selection. */
  probabilisticSharpe: number;
  /** DSR = PSR(SR0). */
  deflatedSharpe: number;
}

export function deflatedSharpe(returns: ArrayLike<number>, trials: number, trialSharpeVariance: number): DeflatedSharpe {
  const m = returnMoments(returns);
  const sr0 = expectedMaxSharpe(trials, trialSharpeVariance);
  return {
    ...m,
    trials,
    trialSharpeVariance,
    expectedMaxSharpe: sr0,
    probabilisticSharpe: probabilisticSharpe(m, 0),
    deflatedSharpe: probabilisticSharpe(m, sr0),
  };
}
