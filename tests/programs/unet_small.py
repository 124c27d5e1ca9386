"""A tiny U-Net for binary segmentation of 16x16 images (in the style of the common PyTorch U-Nets)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True)
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    """Downscaling with maxpool then double conv"""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(
            nn.MaxPool2d(2),
            DoubleConv(in_channels, out_channels)
        )

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    """Upscaling then double conv"""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        # input is CHW
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2,
                        diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class OutConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super(OutConv, self).__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, base=4):
        super(UNet, self).__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.inc = DoubleConv(n_channels, base)
        self.down1 = Down(base, base * 2)
        self.down2 = Down(base * 2, base * 4)
        self.up1 = Up(base * 4, base * 2)
        self.up2 = Up(base * 2, base)
        self.outc = OutConv(base, n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        logits = self.outc(x)
        return logits


def build():
    model = UNet(n_channels=1, n_classes=1)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, weight_decay=1e-4, momentum=0.9)
    return {"model": model, "optimizer": optimizer, "criterion": nn.BCEWithLogitsLoss()}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    yy, xx = np.mgrid[0:16, 0:16]
    out = []
    for _ in range(n):
        cx, cy = rng.uniform(4, 12, (2, 4, 1, 1, 1))
        r = rng.uniform(2, 5, (4, 1, 1, 1))
        mask = (((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2).astype(np.float32)
        image = (mask * 0.8 + 0.3 * rng.standard_normal(mask.shape)).astype(np.float32)
        out.append((image, mask))
    return out


def step(state, batch):
    model, optimizer, criterion = state["model"], state["optimizer"], state["criterion"]
    model.train()
    images, true_masks = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    masks_pred = model(images)
    loss = criterion(masks_pred, true_masks)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def demo(state):
    model = state["model"]
    model.eval()
    with torch.no_grad():
        image = torch.rand(2, 1, 16, 16)
        mask_pred = model(image)
        mask = (torch.sigmoid(mask_pred) > 0.5).float()
    return mask.numpy()
