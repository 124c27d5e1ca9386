"""Neural style transfer (in the style of the PyTorch tutorial): a frozen CNN with content and
style losses spliced in after chosen layers, the image optimised by L-BFGS, clamped in place."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

SIZE = 12


class Normalization(nn.Module):
    def __init__(self, mean, std):
        super(Normalization, self).__init__()
        self.register_buffer("mean", torch.tensor(mean).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(-1, 1, 1))

    def forward(self, img):
        return (img - self.mean) / self.std


class ContentLoss(nn.Module):
    def __init__(self, target):
        super(ContentLoss, self).__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


def gram_matrix(input):
    a, b, c, d = input.size()
    features = input.view(a * b, c * d)
    G = torch.mm(features, features.t())
    return G.div(a * b * c * d)


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super(StyleLoss, self).__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        G = gram_matrix(input)
        self.loss = F.mse_loss(G, self.target)
        return input


class Canvas(nn.Module):
    """The image being optimised, kept as a parameter so that its values can be compared."""

    def __init__(self):
        super(Canvas, self).__init__()
        self.img = nn.Parameter(torch.rand(1, 3, SIZE, SIZE))


def features():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(inplace=True), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(inplace=True))


def get_style_model_and_losses(cnn, style_img, content_img, content_layers=("conv_2",),
                               style_layers=("conv_1", "conv_2", "conv_3", "conv_4")):
    normalization = Normalization([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    content_losses, style_losses = [], []
    model = nn.Sequential(normalization)
    i = 0
    for layer in cnn.children():
        if isinstance(layer, nn.Conv2d):
            i += 1
            name = "conv_{}".format(i)
        elif isinstance(layer, nn.ReLU):
            name = "relu_{}".format(i)
            layer = nn.ReLU(inplace=False)
        elif isinstance(layer, nn.MaxPool2d):
            name = "pool_{}".format(i)
        else:
            raise RuntimeError("Unrecognized layer: {}".format(layer.__class__.__name__))
        model.add_module(name, layer)
        if name in content_layers:
            target = model(content_img).detach()
            content_loss = ContentLoss(target)
            model.add_module("content_loss_{}".format(i), content_loss)
            content_losses.append(content_loss)
        if name in style_layers:
            target_feature = model(style_img).detach()
            style_loss = StyleLoss(target_feature)
            model.add_module("style_loss_{}".format(i), style_loss)
            style_losses.append(style_loss)
    for i in range(len(model) - 1, -1, -1):
        if isinstance(model[i], ContentLoss) or isinstance(model[i], StyleLoss):
            break
    model = model[:(i + 1)]
    return model, style_losses, content_losses


def build():
    cnn = features().eval()
    canvas = Canvas()
    return {"cnn": cnn, "canvas": canvas,
            "optimizer": optim.LBFGS([canvas.img], lr=0.5, max_iter=4, history_size=5)}


def modules(state):
    return {"cnn": state["cnn"], "canvas": state["canvas"]}


def batches(rng, n):
    return [(rng.random((1, 3, SIZE, SIZE)).astype(np.float32),
             rng.random((1, 3, SIZE, SIZE)).astype(np.float32)) for _ in range(n)]


def step(state, batch, style_weight=1000, content_weight=1):
    cnn, input_img, optimizer = state["cnn"], state["canvas"].img, state["optimizer"]
    style_img, content_img = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    model, style_losses, content_losses = get_style_model_and_losses(cnn, style_img, content_img)
    model.eval()
    model.requires_grad_(False)
    last = [0.0]

    def closure():
        with torch.no_grad():
            input_img.clamp_(0, 1)
        optimizer.zero_grad()
        model(input_img)
        style_score = 0
        content_score = 0
        for sl in style_losses:
            style_score += sl.loss
        for cl in content_losses:
            content_score += cl.loss
        style_score *= style_weight
        content_score *= content_weight
        loss = style_score + content_score
        loss.backward()
        last[0] = loss.item()
        return style_score + content_score

    optimizer.step(closure)
    with torch.no_grad():
        input_img.clamp_(0, 1)
    return last[0]
