// Single-threaded OpenBLAS sgemm on the shapes one thread runs in a `small` training step (rows = 2048 tokens / 2
// threads, d = 256), best of 30 calls, hot caches: the ceiling for Orchard's Linear layers, which call exactly these
// products. Also shows what beta = 0 (OpenBLAS zeroes C first) costs against beta = 1.
//   gcc -O2 benchmarks/gemm_shapes.c -o /tmp/gemm_shapes -lopenblas && /tmp/gemm_shapes
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static float *random_matrix(long n) {
    float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64);
    for (long i = 0; i < n; i++) p[i] = rand() / (float)RAND_MAX - 0.5f;
    return p;
}

// GFLOP/s of C (m x n) = op(A) op(B) + beta C, row-major, op(A) m x k.
static double gflops(int transA, int transB, int m, int n, int k, float beta) {
    float *a = random_matrix((long)m * k), *b = random_matrix((long)k * n), *c = random_matrix((long)m * n);
    double best = 1e9;
    for (int r = 0; r < 30; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                    1, a, transA ? m : k, b, transB ? k : n, beta, c, n);
        t = now() - t;
        if (t < best) best = t;
    }
    free(a); free(b); free(c);
    return 2.0 * m * n * k / best / 1e9;
}

int main(void) {
    openblas_set_num_threads(1);
    printf("OpenBLAS kernel %s, one thread, GFLOP/s (best of 30)\n", openblas_get_corename());
    const char *names[] = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"};
    const int outs[] = {768, 256, 1024, 256}, ins[] = {256, 256, 256, 1024};
    for (int i = 0; i < 4; i++) {
        int oc = outs[i], c = ins[i];
        // dW is split across the threads along its larger side (Linear.backward), so one thread does half of it.
        int dwRows = oc >= c ? oc / 2 : oc, dwCols = oc >= c ? c : c / 2;
        printf("%-12s forward x·Wᵀ 1024x%dx%d: %.1f (beta 0: %.1f) | dinp dout·W 1024x%dx%d: %.1f | dW doutᵀ·x %dx%dx2048: %.1f\n",
               names[i], oc, c, gflops(0, 1, 1024, oc, c, 1), gflops(0, 1, 1024, oc, c, 0),
               c, oc, gflops(0, 0, 1024, c, oc, 0), dwRows, dwCols, gflops(1, 0, dwRows, dwCols, 2048, 1));
    }
    return 0;
}
