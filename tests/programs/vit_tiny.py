"""A tiny Vision Transformer on 8x8 images (in the style of the common minimal PyTorch ViTs)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

image_size, patch_size, in_chans, num_classes = 8, 2, 1, 4
embed_dim, depth, num_heads, mlp_ratio = 16, 2, 2, 2.0


class PatchEmbed(nn.Module):
    """Image to Patch Embedding"""

    def __init__(self, img_size, patch_size, in_chans, embed_dim):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        x = self.proj(x)  # B, D, H/P, W/P
        x = x.flatten(2).transpose(1, 2)  # B, N, D
        return x


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed(image_size, patch_size, in_chans, embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        encoder_layer = nn.TransformerEncoderLayer(
            d_model=embed_dim, nhead=num_heads, dim_feedforward=int(embed_dim * mlp_ratio),
            dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(encoder_layer, num_layers=depth)
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        nn.init.trunc_normal_(self.cls_token, std=.02)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x)
        B = x.shape[0]
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        x = x + self.pos_embed
        x = self.encoder(x)
        x = self.norm(x)
        return self.head(x[:, 0])


def build():
    model = ViT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    return {"model": model, "optimizer": optimizer, "scheduler": scheduler}


def modules(state):
    return {"model": state["model"]}


def batches(rng, n):
    out = []
    for _ in range(n):
        labels = rng.integers(0, num_classes, 8)
        images = 0.3 * rng.standard_normal((8, in_chans, image_size, image_size))
        for i, c in enumerate(labels):  # class c: a bright quadrant
            r, q = divmod(int(c), 2)
            images[i, :, 4 * r:4 * r + 4, 4 * q:4 * q + 4] += 1.0
        out.append((images.astype(np.float32), labels.astype(np.int64)))
    return out


def step(state, batch):
    model, optimizer, scheduler = state["model"], state["optimizer"], state["scheduler"]
    model.train()
    images, labels = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    outputs = model(images)
    loss = F.cross_entropy(outputs, labels, label_smoothing=0.1)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    scheduler.step()
    return loss.item()


def demo(state):
    model = state["model"]
    model.eval()
    with torch.no_grad():
        logits = model(torch.randn(2, in_chans, image_size, image_size))
        probs = logits.softmax(dim=-1)
    return probs.numpy()
