"""A message-passing graph network as an actor-critic policy (GCN-style mean aggregation with
index_add_, a Categorical policy over nodes, advantage-weighted log-probabilities, an entropy
bonus, a smooth-L1 value loss, gradient clipping, Adam with weight decay, a step schedule)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

N_GRAPHS, NODES, FEATS, HID = 4, 6, 5, 16


class GraphConv(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.lin = nn.Linear(in_dim, out_dim, bias=False)
        self.root = nn.Linear(in_dim, out_dim)

    def forward(self, x, edge_index):
        src, dst = edge_index
        msg = self.lin(x)[src]
        agg = torch.zeros(x.size(0), msg.size(1), dtype=x.dtype).index_add_(0, dst, msg)
        deg = torch.zeros(x.size(0), dtype=x.dtype).scatter_add_(0, dst, torch.ones_like(dst, dtype=x.dtype))
        agg = agg / deg.clamp(min=1).unsqueeze(-1)
        return self.root(x) + agg


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([GraphConv(FEATS, HID), GraphConv(HID, HID)])
        self.norm = nn.LayerNorm(HID)
        self.actor = nn.Linear(HID, 1)
        self.critic = nn.Sequential(nn.Linear(HID, HID), nn.Tanh(), nn.Linear(HID, 1))

    def forward(self, x, edge_index, batch):
        h = x
        for conv in self.convs:
            h = F.elu(conv(h, edge_index))
        h = self.norm(h)
        logits = self.actor(h).squeeze(-1).view(N_GRAPHS, NODES)
        pooled = torch.zeros(N_GRAPHS, HID).index_add_(0, batch, h) / NODES
        return logits, self.critic(pooled).squeeze(-1)


def build():
    model = Policy()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    return {"model": model, "opt": opt, "sched": torch.optim.lr_scheduler.StepLR(opt, 4, gamma=0.7)}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    """``n`` rollouts of the same graphs (one episode's batch, revisited as PPO-style epochs)."""
    rng = np.random.default_rng(int(rng.integers(1 << 30)))
    out = []
    for _ in range(1):
        x = rng.standard_normal((N_GRAPHS * NODES, FEATS)).astype(np.float32)
        edges = []
        for g in range(N_GRAPHS):
            for _ in range(10):  # random directed edges within each graph, duplicates allowed
                a, b = rng.integers(0, NODES, 2)
                edges.append((g * NODES + a, g * NODES + b))
        edge_index = np.array(edges, dtype=np.int64).T
        actions = rng.integers(0, NODES, N_GRAPHS)
        returns = rng.standard_normal(N_GRAPHS).astype(np.float32)
        out.append((x, edge_index, actions, returns))
    return out * n


def step(state, batch):
    model, opt, sched = state["model"], state["opt"], state["sched"]
    x, edge_index, actions, returns = (torch.from_numpy(a) for a in batch)
    graph_of_node = torch.arange(N_GRAPHS).repeat_interleave(NODES)
    logits, values = model(x, edge_index, graph_of_node)
    dist = Categorical(logits=logits)
    advantage = (returns - values).detach()
    policy_loss = -(dist.log_prob(actions) * advantage).mean()
    value_loss = F.smooth_l1_loss(values, returns)
    loss = policy_loss + 0.5 * value_loss - 0.01 * dist.entropy().mean()
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    opt.step()
    sched.step()
    return loss.item()


def demo(state):
    model = state["model"]
    rng = np.random.default_rng(5)
    x, edge_index, _, _ = batches(rng, 1)[0]
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(x), torch.from_numpy(edge_index),
                          torch.arange(N_GRAPHS).repeat_interleave(NODES))
    return torch.softmax(logits, dim=-1).argmax(dim=-1).numpy()
