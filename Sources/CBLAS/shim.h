// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h on the default include path).
// It also declares openblas_get_corename/openblas_set_num_threads, used to verify and size the kernel.
#include <cblas.h>
