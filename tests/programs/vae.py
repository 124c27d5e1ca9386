"""A variational autoencoder on 8x8 images (in the style of the PyTorch VAE example)."""
import numpy as np
import torch
from torch import nn, optim
from torch.nn import functional as F

D, H, Z = 64, 32, 4


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(D, H)
        self.fc21 = nn.Linear(H, Z)
        self.fc22 = nn.Linear(H, Z)
        self.fc3 = nn.Linear(Z, H)
        self.fc4 = nn.Linear(H, D)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps=None):
        std = torch.exp(0.5 * logvar)
        if eps is None:
            eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x.view(-1, D))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction + KL divergence losses summed over all elements and batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, D), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def build():
    model = VAE()
    return {"model": model, "optimizer": optim.Adam(model.parameters(), lr=1e-2)}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    protos = rng.random((4, D)) > 0.5
    out = []
    for _ in range(n):
        pick = rng.integers(0, 4, 16)
        x = np.clip(protos[pick] * 0.9 + rng.random((16, D)) * 0.1, 0, 1).astype(np.float32)
        out.append((x.reshape(16, 1, 8, 8), rng.standard_normal((16, Z)).astype(np.float32)))
    return out


def step(state, batch):
    model, optimizer = state["model"], state["optimizer"]
    model.train()
    data, eps = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    optimizer.zero_grad()
    recon_batch, mu, logvar = model(data, eps)
    loss = loss_function(recon_batch, data, mu, logvar)
    loss.backward()
    optimizer.step()
    return loss.item() / len(data)


def demo(state):
    model = state["model"]
    model.eval()
    with torch.no_grad():
        sample = torch.randn(8, Z)
        sample = model.decode(sample).cpu()
    return sample.view(8, 1, 8, 8).numpy()
