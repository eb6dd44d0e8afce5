/** Small dense linear-algebra kernels on row-major Float64Array matrices. */

/**
 * In-place lower Cholesky factorisation of the symmetric positive-definite `size` x `size` matrix
 * `a` (row-major; only the lower triangle is read and written). Returns the number of leading
 * columns that factorised with a clearly positive pivot: `size` on success, less when the matrix is
 * (numerically) singular at that column, whose later entries are then meaningless.
 */
export function choleskyInPlace(a: Float64Array, size: number, relTol = 1e-13): number {
  for (let j = 0; j < size; j++) {
    const rowJ = j * size;
    let d = a[rowJ + j];
    const original = d;
    for (let k = 0; k < j; k++) d -= a[rowJ + k] * a[rowJ + k];
    if (!(d > relTol * original) || !(d > 0)) return j;
    const pivot = Math.sqrt(d);
    a[rowJ + j] = pivot;
    for (let i = j + 1; i < size; i++) {
      const rowI = i * size;
      let s = a[rowI + j];
      for (let k = 0; k < j; k++) s -= a[rowI + k] * a[rowJ + k];
      a[rowI + j] = s / pivot;
    }
  }
  return size;
}
