"""Deep Q-learning on replayed transitions (in the style of the PyTorch DQN tutorial): a policy
network, a deep-copied target network kept by a soft (Polyak) update of its state_dict under
no_grad, Q(s, a) by gather, the bootstrapped target by max over the next state's values masked
at terminal states, Huber loss, in-place gradient value clipping, AdamW with amsgrad."""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

N_OBS, N_ACTIONS, BATCH, GAMMA, TAU = 6, 3, 32, 0.99, 0.05


class DQN(nn.Module):
    def __init__(self, n_observations, n_actions):
        super(DQN, self).__init__()
        self.layer1 = nn.Linear(n_observations, 32)
        self.layer2 = nn.Linear(32, 32)
        self.layer3 = nn.Linear(32, n_actions)

    def forward(self, x):
        x = nn.functional.relu(self.layer1(x))
        x = nn.functional.relu(self.layer2(x))
        return self.layer3(x)


def build():
    policy_net = DQN(N_OBS, N_ACTIONS)
    target_net = copy.deepcopy(policy_net)
    target_net.load_state_dict(policy_net.state_dict())
    optimizer = optim.AdamW(policy_net.parameters(), lr=1e-3, amsgrad=True)
    return {"policy": policy_net, "target": target_net, "optimizer": optimizer}


def modules(state):
    return {"policy": state["policy"], "target": state["target"]}


def batches(rng, n):
    """``n`` samples of a small replay memory (two transitions batches, drawn alternately)."""
    out = []
    for _ in range(2):
        state = rng.standard_normal((BATCH, N_OBS)).astype(np.float32)
        action = rng.integers(0, N_ACTIONS, (BATCH, 1))
        reward = rng.standard_normal(BATCH).astype(np.float32)
        next_state = rng.standard_normal((BATCH, N_OBS)).astype(np.float32)
        done = rng.random(BATCH) < 0.2
        out.append((state, action, reward, next_state, done))
    return [out[i % 2] for i in range(n)]


def optimize_model(state, batch):
    policy_net, target_net, optimizer = state["policy"], state["target"], state["optimizer"]
    state_batch, action_batch, reward_batch = (torch.from_numpy(a) for a in batch[:3])
    next_states, done = torch.from_numpy(batch[3]), torch.from_numpy(batch[4])
    non_final_mask = torch.tensor(tuple(map(lambda d: not d, done.tolist())), dtype=torch.bool)
    non_final_next_states = next_states[non_final_mask]
    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(BATCH)
    with torch.no_grad():
        next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
    expected_state_action_values = (next_state_values * GAMMA) + reward_batch
    criterion = nn.SmoothL1Loss()
    loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
    optimizer.step()
    return loss


def step(state, batch):
    loss = optimize_model(state, batch)
    policy_net, target_net = state["policy"], state["target"]
    target_net_state_dict = target_net.state_dict()
    policy_net_state_dict = policy_net.state_dict()
    for key in policy_net_state_dict:
        target_net_state_dict[key] = policy_net_state_dict[key] * TAU + target_net_state_dict[key] * (1 - TAU)
    target_net.load_state_dict(target_net_state_dict)
    return loss.item()


def demo(state):
    with torch.no_grad():
        obs = torch.linspace(-1, 1, 4 * N_OBS).view(4, N_OBS)
        return state["policy"](obs).max(1).indices.view(4, 1).numpy()
