"""Sine waves predicted by two stacked LSTMCells, trained with LBFGS in float64
(in the style of the PyTorch time-sequence-prediction example)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

DTYPE = "float64"
HIDDEN = 12


class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(1, HIDDEN)
        self.lstm2 = nn.LSTMCell(HIDDEN, HIDDEN)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        c_t = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), HIDDEN, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs


def build():
    seq = Sequence()
    seq.double()
    return {"seq": seq, "criterion": nn.MSELoss(),
            "optimizer": optim.LBFGS(seq.parameters(), lr=0.8, max_iter=5, history_size=10)}


def modules(state):
    return {"seq": state["seq"]}


def batches(rng, n):
    x = np.arange(25)[None, :] + rng.integers(-20, 20, (6, 1))
    data = np.sin(x / 4.0).astype(np.float64)
    return [(data[:, :-1], data[:, 1:])] * n


def step(state, batch):
    seq, criterion, optimizer = state["seq"], state["criterion"], state["optimizer"]
    input, target = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])

    def closure():
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        loss.backward()
        return loss
    return optimizer.step(closure).item()


def demo(state):
    with torch.no_grad():
        future = 5
        pred = state["seq"](torch.zeros(1, 4, dtype=torch.double), future=future)
        return pred.detach().numpy()
