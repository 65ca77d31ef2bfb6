// zlib (Debian: zlib1g-dev) for gzip/zlib streams: dictd .dict.dz, SWORD zText blocks,
// R lazy-load .rdb records and gzip'd man pages.
#include <zlib.h>
