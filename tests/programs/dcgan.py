"""A DCGAN on 16x16 images (in the style of the PyTorch DCGAN example)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

nz, ngf, ndf, nc = 8, 8, 8, 1
real_label, fake_label = 1., 0.


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),   # 4x4
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),  # 16x16
            nn.Tanh()
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),  # 8x8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),  # 4x4
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def build():
    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    return {"netG": netG, "netD": netD, "criterion": nn.BCELoss(),
            "optimizerD": optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999)),
            "optimizerG": optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))}


def modules(state):
    return {"netG": state["netG"], "netD": state["netD"]}


def batches(rng, n):
    yy, xx = np.mgrid[0:16, 0:16]
    out = []
    for _ in range(n):
        cx, cy = rng.uniform(5, 11, (2, 16, 1, 1, 1))
        real = np.tanh(3 - ((xx - cx) ** 2 + (yy - cy) ** 2) / 6).astype(np.float32)
        out.append((real, rng.standard_normal((16, nz, 1, 1)).astype(np.float32)))
    return out


def step(state, batch):
    netG, netD, criterion = state["netG"], state["netD"], state["criterion"]
    real_cpu, noise = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    batch_size = real_cpu.size(0)
    # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
    netD.zero_grad()
    label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype)
    output = netD(real_cpu)
    errD_real = criterion(output, label)
    errD_real.backward()
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach())
    errD_fake = criterion(output, label)
    errD_fake.backward()
    errD = errD_real + errD_fake
    state["optimizerD"].step()
    # (2) Update G network: maximize log(D(G(z)))
    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake)
    errG = criterion(output, label)
    errG.backward()
    state["optimizerG"].step()
    return errD.item()


def demo(state):
    with torch.no_grad():
        return state["netG"](torch.randn(4, nz, 1, 1)).detach().numpy()
