"""Knowledge distillation of a small CNN into a smaller one with gradient accumulation, then
Grad-CAM on the student: forward hooks keep activations, a full backward hook and a tensor hook
keep gradients, the map is upsampled with interpolate. Temperature-scaled KL (batchmean) plus
label-smoothed cross-entropy; SGD with Nesterov momentum and a cosine schedule."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

T, ALPHA, ACCUM = 3.0, 0.7, 2


def cnn(width):
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
        nn.Conv2d(width, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        nn.Dropout(0.0), nn.Linear(4 * width, 4))


def build():
    teacher, student = cnn(8), cnn(4)
    teacher.eval()
    opt = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    return {"teacher": teacher, "student": student, "opt": opt,
            "sched": torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=1e-3)}


def modules(state):
    return {"teacher": state["teacher"], "student": state["student"]}


def batches(rng, n):
    protos = rng.standard_normal((4, 1, 8, 8))
    out = []
    for _ in range(n):
        y = rng.integers(0, 4, 12)
        x = (protos[y] + 0.3 * rng.standard_normal((12, 1, 8, 8))).astype(np.float32)
        out.append((x, y))
    return out


def distillation_loss(student_logits, teacher_logits, labels):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1),
                    reduction="batchmean") * (T * T)
    hard = F.cross_entropy(student_logits, labels, label_smoothing=0.1)
    return ALPHA * soft + (1 - ALPHA) * hard


def step(state, batch):
    teacher, student, opt, sched = state["teacher"], state["student"], state["opt"], state["sched"]
    student.train()
    x, y = torch.from_numpy(batch[0]), torch.from_numpy(batch[1])
    opt.zero_grad(set_to_none=True)
    total = 0.0
    for xm, ym in zip(x.chunk(ACCUM), y.chunk(ACCUM)):
        with torch.no_grad():
            t_logits = teacher(xm)
        loss = distillation_loss(student(xm), t_logits, ym) / ACCUM
        loss.backward()
        total += loss.item()
    opt.step()
    sched.step()
    return total


def grad_cam(model, x, target_layer, class_idx):
    acts, grads = {}, {}

    def fwd_hook(module, inputs, output):
        acts["value"] = output
        output.register_hook(lambda g: grads.__setitem__("tensor", g))

    def bwd_hook(module, grad_input, grad_output):
        grads["module"] = grad_output[0]

    h1 = target_layer.register_forward_hook(fwd_hook)
    h2 = target_layer.register_full_backward_hook(bwd_hook)
    model.eval()
    logits = model(x)
    model.zero_grad()
    logits[torch.arange(len(x)), class_idx].sum().backward()
    h1.remove()
    h2.remove()
    assert torch.allclose(grads["tensor"], grads["module"])
    weights = grads["module"].mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * acts["value"]).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)
    cam = cam / (cam.amax(dim=(2, 3), keepdim=True) + 1e-8)
    return cam.detach()


def demo(state):
    student = state["student"]
    x = torch.linspace(-1, 1, 2 * 64).view(2, 1, 8, 8)
    return grad_cam(student, x, student[3], torch.tensor([0, 2])).numpy()
