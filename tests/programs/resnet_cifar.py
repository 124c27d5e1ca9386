"""A small ResNet on 32x32 colour images (in the style of the common CIFAR-10 ResNets)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10, width=8):
        super(ResNet, self).__init__()
        self.in_planes = width
        self.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = self._make_layer(block, width, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 2 * width, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, num_blocks[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(4 * width * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.avgpool(out)
        out = torch.flatten(out, 1)
        return self.linear(out)


def build():
    net = ResNet(BasicBlock, [1, 1, 1])
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[6], gamma=0.1)
    return {"net": net, "optimizer": optimizer, "scheduler": scheduler, "criterion": nn.CrossEntropyLoss()}


def modules(state):
    return {"net": state["net"]}


def batches(rng, n):
    means = 2 * rng.standard_normal((10, 3, 1, 1))
    out = []
    for _ in range(n):
        y = rng.integers(0, 10, 8)
        x = (means[y] + 0.3 * rng.standard_normal((8, 3, 32, 32))).astype(np.float32)
        out.append((x, y))
    return out


def step(state, batch):
    net, optimizer = state["net"], state["optimizer"]
    net.train()
    inputs, targets = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = state["criterion"](outputs, targets)
    loss.backward()
    optimizer.step()
    state["scheduler"].step()
    _, predicted = outputs.max(1)
    state["correct"] = predicted.eq(targets).sum().item()
    return loss.item()


def demo(state):
    net = state["net"]
    net.eval()
    with torch.no_grad():
        return F.softmax(net(torch.zeros(2, 3, 32, 32)), dim=1).numpy()
