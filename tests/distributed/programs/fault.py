"""Run under ``mpiexec``: rank ``argv[1]`` raises in the middle of a DDP training step (``argv[2]`` =
"raise"), or hangs (``"hang"``); every rank must end with an error well within the timeout."""
import os
import sys
import time

ROOT = os.path.abspath(__file__)
for _ in range(4):
    ROOT = os.path.dirname(ROOT)
sys.path.insert(0, ROOT)

import autograd as ag  # noqa: E402
import autograd.distributed as dist  # noqa: E402
import nn  # noqa: E402
from nn.parallel import DistributedDataParallel as DDP  # noqa: E402

bad, how = int(sys.argv[1]), sys.argv[2]
dist.init_process_group("mpi", timeout=float(sys.argv[3]) if len(sys.argv) > 3 else 8.0)
rank = dist.get_rank()
model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))
for step in range(5):
    loss = model(ag.randn(3, 4)).pow(2).mean()
    if step == 2 and rank == bad:
        if how == "raise":
            raise ValueError(f"boom on rank {rank} at step {step}")
        time.sleep(600)
    loss.backward()
print(f"rank {rank} finished", flush=True)
