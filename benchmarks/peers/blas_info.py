"""Which BLAS the peer ran on, for the comparison's printout: library, version, kernel architecture, threads.

threadpoolctl (Debian's python3-threadpoolctl) reports OpenBLAS's `architecture`: the kernel it chose for this
CPU (e.g. Cooperlake on AVX-512 machines), or the one OPENBLAS_CORETYPE forced (Haswell = AVX2 only).
"""
import os


def describe():
    import threadpoolctl

    parts = []
    for lib in threadpoolctl.threadpool_info():
        if lib.get("user_api") != "blas":
            continue
        parts.append(f"{lib.get('internal_api')} {lib.get('version')} kernel {lib.get('architecture', '?')} "
                     f"threads {lib.get('num_threads')}")
    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    if forced:
        parts.append(f"environment forces {forced}")
    return "; ".join(parts) or "no BLAS found by threadpoolctl"
