"""A WGAN-GP on 2-D points (in the style of the common PyTorch WGAN-GP implementations).

The critic is trained with the gradient penalty of Gulrajani et al.: the norm of
the critic's gradient at random interpolates between real and fake samples,
taken with ``create_graph=True`` so that the penalty itself is differentiated
(double backward through Linear and LeakyReLU).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.autograd as autograd

DTYPE = "float64"
latent_dim, data_dim, hidden = 4, 2, 32
batch_size, n_critic, lambda_gp = 8, 2, 10


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim, hidden, normalize=False),
            *block(hidden, hidden),
            nn.Linear(hidden, data_dim),
        )

    def forward(self, z):
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(data_dim, hidden),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.model(x)


def compute_gradient_penalty(D, real_samples, fake_samples, alpha):
    """Calculates the gradient penalty loss for WGAN GP"""
    # Random weight term for interpolation between real and fake samples
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    # Get gradient w.r.t. interpolates
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=torch.ones_like(d_interpolates),
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


def build():
    generator, discriminator = Generator().double(), Discriminator().double()
    return {"generator": generator, "discriminator": discriminator,
            "optimizer_G": torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.9)),
            "optimizer_D": torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.9))}


def modules(state):
    return {"generator": state["generator"], "discriminator": state["discriminator"]}


def batches(rng, n):
    out = []
    for _ in range(n):
        centres = rng.integers(0, 4, (n_critic, batch_size))
        angle = centres * np.pi / 2
        real = np.stack([2 * np.cos(angle), 2 * np.sin(angle)], -1) + 0.1 * rng.standard_normal(
            (n_critic, batch_size, data_dim))
        z = rng.standard_normal((n_critic + 1, batch_size, latent_dim))
        alpha = rng.random((n_critic, batch_size, 1))
        out.append((real, z, alpha))
    return out


def step(state, batch):
    generator, discriminator = state["generator"], state["discriminator"]
    optimizer_G, optimizer_D = state["optimizer_G"], state["optimizer_D"]
    reals, zs, alphas = (torch.from_numpy(b) for b in batch)
    generator.train()
    # ---------------------
    #  Train Discriminator
    # ---------------------
    for i in range(n_critic):
        real_imgs = reals[i]
        optimizer_D.zero_grad()
        fake_imgs = generator(zs[i])
        real_validity = discriminator(real_imgs)
        fake_validity = discriminator(fake_imgs.detach())
        gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data, alphas[i])
        d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty
        d_loss.backward()
        optimizer_D.step()
    # -----------------
    #  Train Generator
    # -----------------
    optimizer_G.zero_grad()
    fake_imgs = generator(zs[n_critic])
    fake_validity = discriminator(fake_imgs)
    g_loss = -torch.mean(fake_validity)
    g_loss.backward()
    optimizer_G.step()
    return d_loss.item()


def demo(state):
    generator = state["generator"]
    generator.eval()
    with torch.no_grad():
        z = torch.randn(16, latent_dim, dtype=torch.float64)
        return generator(z).numpy()
