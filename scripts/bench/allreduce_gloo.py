"""allreduce_gloo.py RANK WORLD PORT N... — torch.distributed all_reduce (sum of
float64) over the gloo backend on localhost, the peer of allreduce_mpi.c in
80_scaleout.sh. Same protocol: warm-up, 5 rounds of reps calls between
barriers, prints "n seconds_per_call" (the median round) on rank 0."""
import sys
import time

import torch
import torch.distributed as dist


def main():
    rank, world, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    sizes = [int(a) for a in sys.argv[4:]]
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    for n in sizes:
        v = 1.0 / (torch.arange(n, dtype=torch.float64) + 1 + rank)
        reps = 200 if n <= 1000 else 50 if n <= 100000 else 10
        for _ in range(reps // 4 + 1):
            dist.all_reduce(v)
        times = []
        for _ in range(5):
            dist.barrier()
            t0 = time.perf_counter()
            for _ in range(reps):
                dist.all_reduce(v)
                v[0] *= 0.5
            times.append((time.perf_counter() - t0) / reps)
        times.sort()
        if rank == 0:
            print(n, "%.9g" % times[2], flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
