"""Train an MLP with DistributedDataParallel: ``mpiexec -n 2 python scripts/ddp_train.py``.

Also runs as a single process (``python scripts/ddp_train.py``). Every rank reads its
share of each epoch through ``DistributedSampler``; the global batch is the same for
any number of ranks (``64 // world_size`` per rank), so the loss curves match.
Rank 0 alone saves the checkpoint and the loss log (``--out``).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd as ag  # noqa: E402
import autograd.distributed as dist  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd.utils.data import DataLoader, DistributedSampler, TensorDataset  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=25)
p.add_argument("--out", default="ddp_run")
args = p.parse_args()

dist.init_process_group("mpi")  # rank and world size come from mpiexec
rank, world = dist.get_rank(), dist.get_world_size()

ag.manual_seed(0)  # the same synthetic data on every rank: two interleaved spirals
n = 1024
t = ag.rand(n) * 12
label = ag.randint(0, 2, (n,))
r = t / 12
x = ag.stack([r * ag.cos(t + 3.1416 * label), r * ag.sin(t + 3.1416 * label)], 1) + 0.02 * ag.randn(n, 2)
data = TensorDataset(x, label)

model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
model = nn.parallel.DistributedDataParallel(model)  # rank 0's weights are broadcast here
opt = optim.Adam(model.parameters(), lr=0.01)
sampler = DistributedSampler(data, shuffle=True, seed=0)
loader = DataLoader(data, batch_size=64 // world, sampler=sampler)
loss_fn = nn.CrossEntropyLoss()

losses = []
for epoch in range(args.epochs):
    sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()  # gradients are averaged across ranks during backward
        opt.step()
        avg = loss.detach().clone()
        dist.all_reduce(avg, op=dist.ReduceOp.AVG)  # the global batch's loss, for the log
        losses.append(avg.item())
    if rank == 0:
        print(f"epoch {epoch}: loss {losses[-1]:.4f}", flush=True)

if rank == 0:  # checkpoint on rank 0 only; strip DDP's "module." prefix with model.module
    os.makedirs(args.out, exist_ok=True)
    ag.save(model.module.state_dict(), os.path.join(args.out, "model.pt"))
    with open(os.path.join(args.out, f"losses_{world}.json"), "w") as f:
        json.dump(losses, f)
dist.barrier()  # nobody leaves before the checkpoint is written
dist.destroy_process_group()
